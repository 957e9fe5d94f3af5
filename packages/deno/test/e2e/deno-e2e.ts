/**
 * Run by Deno (from runtimes.test.ts, with an import map that points @ws/* at the sources).
 * Each scenario prints one JSON line: `{ "scenario": name, ...what it saw }`; the Node test
 * checks the lines and what its own servers saw. Arguments: a JSON object with
 * { ws, wss, ca } (our Node servers' URLs and the test CA).
 */
import {
  WebSocket as OurWebSocket,
  WebSocketStream as OurWebSocketStream,
  openDenoTransport,
} from '../../src/index.ts'

declare const Deno: {
  args: string[]
  serve(
    options: { hostname: string; port: number; onListen?: (addr: { port: number }) => void },
    handler: (request: Request) => Response,
  ): { shutdown(): Promise<void>; finished: Promise<void> }
  upgradeWebSocket(request: Request): { socket: WebSocket; response: Response }
  exit(code: number): never
}

const config = JSON.parse(Deno.args[0] as string) as { ws: string; wss: string; ca: string }
const BIG = 'deno says hello, compress me; '.repeat(4000) // 120 KB

function report(scenario: string, data: Record<string, unknown>): void {
  console.log(JSON.stringify({ scenario, ...data }))
}

function withTimeout<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

type AnySocket = {
  readyState: number
  extensions: string
  protocol: string
  binaryType: string
  send(data: string | Uint8Array): void
  close(code?: number, reason?: string): void
  addEventListener(type: string, listener: (event: never) => void): void
}

/** Opens a WebSocket, echoes a text, a binary and a big text, closes with 1000; reports. */
async function echoOver(scenario: string, socket: AnySocket): Promise<void> {
  socket.binaryType = 'arraybuffer'
  const received: unknown[] = []
  const done = new Promise<{ code: number; reason: string; wasClean: boolean }>((resolve, reject) => {
    socket.addEventListener('error', () => reject(new Error(`${scenario}: error event`)))
    socket.addEventListener('message', (event: { data: unknown }) => {
      const data = event.data
      received.push(
        typeof data === 'string'
          ? data.length > 100
            ? `text:${data.length}:${data === BIG}`
            : data
          : `binary:${Array.from(new Uint8Array(data as ArrayBuffer)).join(',')}`,
      )
      if (received.length === 3) socket.close(1000, 'done')
    })
    socket.addEventListener('close', (event: { code: number; reason: string; wasClean: boolean }) =>
      resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean }),
    )
  })
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve())
      socket.addEventListener('error', () => reject(new Error(`${scenario}: could not open`)))
    }),
    `${scenario} open`,
  )
  socket.send('hello')
  socket.send(Uint8Array.of(1, 2, 3))
  socket.send(BIG)
  const closed = await withTimeout(done, `${scenario} close`)
  report(scenario, { extensions: socket.extensions, protocol: socket.protocol, received, closed })
}

async function main(): Promise<void> {
  const headers = { 'x-e2e': 'deno' }

  // 1. Our WebSocket over Deno's TCP, against our Node server.
  await echoOver(
    'ours-tcp-to-node',
    new OurWebSocket(`${config.ws}/ours-tcp`, { headers, protocols: ['chat'] } as never) as never,
  )

  // 2. Our WebSocket over Deno's TLS, against our Node wss:// server (trusting the test CA).
  await echoOver(
    'ours-tls-to-node',
    new OurWebSocket(`${config.wss}/ours-tls`, { headers, ca: config.ca } as never) as never,
  )

  // 2b. Without the test CA, Deno's TLS refuses the server's certificate: an error, then close 1006.
  {
    const socket = new OurWebSocket(`${config.wss}/untrusted`, { headers } as never) as unknown as AnySocket
    const events: string[] = []
    const code = await withTimeout(
      new Promise<number>((resolve) => {
        socket.addEventListener('open', () => events.push('open'))
        socket.addEventListener('error', () => events.push('error'))
        socket.addEventListener('close', (event: { code: number }) => resolve(event.code))
      }),
      'untrusted close',
    )
    report('ours-tls-untrusted', { events, code })
  }

  // 3. Our WebSocketStream over Deno's TCP, against our Node server.
  {
    const stream = new OurWebSocketStream(`${config.ws}/ours-stream`, { headers } as never) as unknown as {
      opened: Promise<{
        extensions: string
        readable: ReadableStream<string | Uint8Array>
        writable: WritableStream<string | Uint8Array>
      }>
      closed: Promise<{ closeCode: number; reason: string }>
      close(info?: { closeCode?: number; reason?: string }): void
    }
    const { extensions, readable, writable } = await withTimeout(stream.opened, 'stream opened')
    const writer = writable.getWriter()
    const reader = readable.getReader()
    await writer.write('stream hello')
    await writer.write(BIG)
    const first = await reader.read()
    const second = await reader.read()
    stream.close({ closeCode: 1000, reason: 'stream done' })
    const closed = await withTimeout(stream.closed, 'stream closed')
    report('ours-stream-to-node', {
      extensions,
      received: [first.value, typeof second.value === 'string' ? `text:${second.value.length}` : 'bytes'],
      closed,
    })
  }

  // 3b. Backpressure: our WebSocketStream does not read for 3 s while the server floods it;
  // the server's buffer must stay full (Deno's socket is not read), then everything arrives.
  // readHighWaterMark 2: the driver pauses the transport once 2 messages wait.
  {
    const stream = new OurWebSocketStream(`${config.ws}/flood`, {
      headers,
      perMessageDeflate: false,
      readHighWaterMark: 2,
    } as never) as unknown as {
      opened: Promise<{ readable: ReadableStream<string | Uint8Array> }>
      closed: Promise<{ closeCode: number; reason: string }>
      close(info?: { closeCode?: number; reason?: string }): void
    }
    const { readable } = await withTimeout(stream.opened, 'flood opened')
    await new Promise((resolve) => setTimeout(resolve, 3000))
    const reader = readable.getReader()
    let messages = 0
    let bytes = 0
    while (messages < 256) {
      const { value, done } = await withTimeout(reader.read(), 'flood read')
      if (done) break
      messages++
      bytes += typeof value === 'string' ? value.length : value.length
    }
    stream.close({ closeCode: 1000, reason: 'done' })
    await withTimeout(stream.closed, 'flood closed')
    report('ours-stream-backpressure', { messages, bytes })
  }

  // 3c. A refused connection: the opener rejects with Node's code, and the WebSocket closes 1006.
  {
    const listener = (
      Deno as unknown as { listen(o: object): { addr: { port: number }; close(): void } }
    ).listen({
      hostname: '127.0.0.1',
      port: 0,
    })
    const port = listener.addr.port
    listener.close()
    let code: unknown
    try {
      await openDenoTransport({ host: '127.0.0.1', port, secure: false }, new AbortController().signal)
    } catch (error) {
      code = (error as { code?: unknown }).code
    }
    const socket = new OurWebSocket(`ws://127.0.0.1:${port}/`) as unknown as AnySocket
    const events: string[] = []
    const closeCode = await withTimeout(
      new Promise<number>((resolve) => {
        socket.addEventListener('error', () => events.push('error'))
        socket.addEventListener('close', (event: { code: number }) => resolve(event.code))
      }),
      'refused close',
    )
    report('ours-refused', { code, events, closeCode })
  }

  // 4. Our WebSocket against Deno's own server (Deno.serve + upgradeWebSocket).
  {
    let seen: { header: string | null; offered: string | null } = { header: null, offered: null }
    let resolvePort: (port: number) => void = () => {}
    const portReady = new Promise<number>((resolve) => {
      resolvePort = resolve
    })
    const server = Deno.serve(
      { hostname: '127.0.0.1', port: 0, onListen: (addr) => resolvePort(addr.port) },
      (request) => {
        seen = {
          header: request.headers.get('x-e2e'),
          offered: request.headers.get('sec-websocket-extensions'),
        }
        const { socket, response } = Deno.upgradeWebSocket(request)
        socket.onmessage = (event) => socket.send(event.data)
        return response
      },
    )
    const port = await portReady
    await echoOver(
      'ours-to-deno-serve',
      new OurWebSocket(`ws://127.0.0.1:${port}/deno`, { headers } as never) as never,
    )
    report('deno-serve-saw', seen)
    await server.shutdown()
  }

  // 5. Deno's own WebSocket client against our Node server (with headers, if Deno sends them).
  await echoOver(
    'deno-client-to-node',
    new (WebSocket as unknown as new (url: string, options: unknown) => AnySocket)(
      `${config.ws}/deno-client`,
      {
        headers,
      },
    ),
  )
}

main().then(
  () => Deno.exit(0),
  (error) => {
    console.log(JSON.stringify({ scenario: 'failure', message: String(error?.stack ?? error) }))
    Deno.exit(1)
  },
)
