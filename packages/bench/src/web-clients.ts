/**
 * Echo clients over the WHATWG API, behind load.ts's EchoClient: our `WebSocket` and
 * `WebSocketStream` (@ws/node) and undici's `WebSocket`. Binary messages arrive as ArrayBuffers
 * (binaryType 'arraybuffer') or, from the stream, as Uint8Arrays; both reach the listener as
 * bytes, text as a string. Anything else, an error or an unexpected close is reported through
 * `onError` (the running pipeline rejects), or thrown when no pipeline is running.
 *
 * permessage-deflate is off for ours (`perMessageDeflate: false`). undici always offers it and
 * has no option to turn it off, and it never compresses what it sends; against the plain echo
 * server the offer is declined. Every client checks that no extension was agreed.
 */
import { WebSocket as OurWebSocket, WebSocketStream as OurWebSocketStream } from '@ws/node'
import { WebSocket as UndiciWebSocket } from 'undici'
import type { EchoClient, Message } from './load.ts'

export type WebClientKind = 'web' | 'stream' | 'undici'

/** What the echo needs of a WHATWG WebSocket (ours and undici's both have it). */
interface WhatwgSocket {
  binaryType: string
  readonly readyState: number
  readonly extensions: string
  addEventListener(type: string, listener: (event: never) => void, options?: { once: boolean }): void
  send(data: Message): void
  close(code?: number): void
}
type WhatwgSocketClass = new (url: string, init?: Record<string, unknown>) => WhatwgSocket

interface StreamReader {
  read(): Promise<{ done: boolean; value?: unknown }>
}
interface StreamWriter {
  write(chunk: Message): Promise<void>
}
interface WhatwgStream {
  readonly opened: Promise<{
    extensions: string
    readable: { getReader(): StreamReader }
    writable: { getWriter(): StreamWriter }
  }>
  readonly closed: Promise<unknown>
  close(info?: { closeCode?: number }): void
}
type WhatwgStreamClass = new (url: string, options?: Record<string, unknown>) => WhatwgStream

const CLASSES: Record<'web' | 'undici', WhatwgSocketClass> = {
  web: OurWebSocket as unknown as WhatwgSocketClass,
  undici: UndiciWebSocket as unknown as WhatwgSocketClass,
}
const NAMES: Record<WebClientKind, string> = {
  web: 'our WebSocket',
  stream: 'our WebSocketStream',
  undici: "undici's WebSocket",
}

/** The WHATWG classes do not expose their socket: there are no wire byte counts. */
const noWireBytes = (): never => {
  throw new Error('wire byte counts are not available for the WHATWG clients')
}

/** Reports a failure to the running pipeline, or throws it (an uncaught error) when none runs. */
function fail(client: EchoClient, error: Error): void {
  if (client.onError === undefined) throw error
  client.onError(error)
}

/** Hands a received message to the listener: text as a string, binary as bytes, else a failure. */
export function deliver(client: EchoClient, kind: WebClientKind, data: unknown): void {
  if (typeof data === 'string') client.listener(data)
  else if (data instanceof ArrayBuffer) client.listener(new Uint8Array(data))
  else if (kind === 'stream' && data instanceof Uint8Array) client.listener(data)
  else
    fail(
      client,
      new Error(`${NAMES[kind]}: a message of an unexpected type ${Object.prototype.toString.call(data)}`),
    )
}

/** No extension may be agreed when permessage-deflate is off (undici offers it regardless). */
const extensionError = (kind: WebClientKind, extensions: string): Error =>
  new Error(`${NAMES[kind]}: extensions were agreed (${extensions}), expected none`)

async function openSocket(kind: 'web' | 'undici', url: string, deflate: boolean): Promise<EchoClient> {
  if (deflate && kind === 'undici') throw new Error("undici's WebSocket cannot compress what it sends")
  const Class = CLASSES[kind]
  const socket =
    kind === 'web'
      ? new Class(url, { perMessageDeflate: deflate ? { threshold: 0 } : false })
      : new Class(url)
  socket.binaryType = 'arraybuffer'
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true })
    socket.addEventListener(
      'error',
      () => reject(new Error(`${NAMES[kind]}: the connection to ${url} failed`)),
      {
        once: true,
      },
    )
  })
  let closing = false
  const closed = new Promise<void>((resolve) =>
    socket.addEventListener('close', () => resolve(), { once: true }),
  )
  const client: EchoClient = {
    send: (message) => socket.send(message),
    listener: () => {},
    wireBytes: noWireBytes,
    close: async () => {
      closing = true
      if (socket.readyState !== 3) socket.close(1000)
      await closed
    },
  }
  if (!deflate && socket.extensions !== '') {
    await client.close()
    throw extensionError(kind, socket.extensions)
  }
  socket.addEventListener('message', (event: { data: unknown }) => deliver(client, kind, event.data))
  socket.addEventListener('close', (event: { code: number }) => {
    if (!closing) fail(client, new Error(`${NAMES[kind]}: closed unexpectedly (${event.code})`))
  })
  return client
}

async function openStream(url: string, deflate: boolean): Promise<EchoClient> {
  const Class = OurWebSocketStream as unknown as WhatwgStreamClass
  const stream = new Class(url, { perMessageDeflate: deflate ? { threshold: 0 } : false })
  const { extensions, readable, writable } = await stream.opened
  if (!deflate && extensions !== '') {
    stream.close({ closeCode: 1000 })
    throw extensionError('stream', extensions)
  }
  const reader = readable.getReader()
  const writer = writable.getWriter()
  let closing = false
  const failed = (error: unknown): void => {
    if (!closing) fail(client, error instanceof Error ? error : new Error(String(error)))
  }
  const client: EchoClient = {
    // Not awaited: the pipeline keeps a window of messages in flight.
    send: (message) => void writer.write(message).catch(failed),
    listener: () => {},
    wireBytes: noWireBytes,
    close: async () => {
      closing = true
      stream.close({ closeCode: 1000 })
      // As the other clients: an unclean close was reported when it happened, not here.
      await Promise.all([stream.closed.catch(() => {}), reading])
    },
  }
  const reading = (async () => {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      deliver(client, 'stream', value)
    }
  })().catch(failed)
  return client
}

/** Opens one WHATWG client to `url`; `deflate` offers permessage-deflate (ours only). */
export function openWebClient(kind: WebClientKind, url: string, deflate: boolean): Promise<EchoClient> {
  return kind === 'stream' ? openStream(url, deflate) : openSocket(kind, url, deflate)
}
