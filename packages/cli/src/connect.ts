/** `wsx connect URL`: stdin lines out as text messages, messages received in as stdout lines. */
import { readFile } from 'node:fs/promises'
import type { Readable, Writable } from 'node:stream'
import type { ClosedEvent } from '@ws/proto'
import type { ConnectOptions } from './args.ts'
import { describeConnectError, describeSystemError, formatBinary, formatClosed } from './format.ts'
import { LineSplitter } from './lines.ts'
import { openClient, type WsConnection } from './transport.ts'

export interface ConnectIo {
  stdin: Readable
  stdout: Writable
  stderr: Writable
}

/** How long to wait for the server's close frame after ours (then the socket is destroyed). */
export const CLOSE_TIMEOUT = 5000

/** Runs the client until the connection is over; resolves with the exit status. */
export async function runConnect(options: ConnectOptions, io: ConnectIo): Promise<number> {
  const url = options.url.href
  let ca: Buffer | undefined
  if (options.ca !== undefined) {
    try {
      ca = await readFile(options.ca)
    } catch (error) {
      io.stderr.write(`${describeSystemError(`cannot read --ca ${options.ca}`, error)}\n`)
      return 1
    }
  }
  let connection: WsConnection
  try {
    connection = await openClient(options.url, {
      perMessageDeflate: options.deflate,
      protocols: options.protocols,
      headers: options.headers,
      closeTimeout: CLOSE_TIMEOUT,
      ca,
      insecure: options.insecure,
    })
  } catch (error) {
    io.stderr.write(`${describeConnectError(error, url)}\n`)
    return 1
  }

  let weClosed = false
  /** The server's close frame, and whether it came before ours. */
  let peerClose: { code: number; reason: string; first: boolean } | undefined
  const stopInput = pumpStdin(io.stdin, connection, () => {
    weClosed = true
  })

  for await (const event of connection) {
    if (event.type === 'text') await write(io.stdout, `${event.data}\n`)
    else if (event.type === 'binary') await write(io.stdout, `${formatBinary(event.data)}\n`)
    else if (event.type === 'close') {
      peerClose = { code: event.code, reason: event.reason, first: !weClosed }
      stopInput()
    } else if (event.type === 'closed') {
      stopInput()
      return finish(event, weClosed, peerClose, io.stderr)
    }
  }
  /* c8 ignore next 2: the iterator always ends with a closed event */
  return 1
}

/**
 * The exit status once the connection is over, and the line to print on stderr:
 * - the server closed first: `closed CODE REASON`, 0 for 1000 and 1001, 1 otherwise;
 * - we closed at the end of stdin: 0, unless the server answered with a code that reports a
 *   problem (anything but 1000, 1001 or an empty close): then that `closed` line and 1, as when
 *   a message we sent was too big (1009);
 * - the connection failed or was lost: one `wsx:` line and 1.
 */
function finish(
  closed: ClosedEvent,
  weClosed: boolean,
  peerClose: { code: number; reason: string; first: boolean } | undefined,
  stderr: Writable,
): number {
  if (peerClose !== undefined) {
    const { code, reason, first } = peerClose
    const normal = code === 1000 || code === 1001
    if (first || !(normal || code === 1005)) {
      stderr.write(`${formatClosed(code, reason)}\n`)
      return normal ? 0 : 1
    }
    return 0
  }
  if (weClosed) return 0
  if (closed.error !== undefined) {
    stderr.write(`wsx: connection failed: ${closed.error.message} (${formatClosed(closed.code, '')})\n`)
  } else {
    stderr.write(`wsx: connection lost: the server ended it without a close frame (${closed.code})\n`)
  }
  return 1
}

/**
 * Sends every stdin line as a text message, pausing stdin while the connection is over its
 * high-water mark; at the end of stdin sends close 1000 (after `onClose`). Returns a function
 * that stops reading stdin.
 */
function pumpStdin(stdin: Readable, connection: WsConnection, onClose: () => void): () => void {
  const splitter = new LineSplitter()
  let stopped = false
  const sendLines = (lines: string[]): void => {
    let full = false
    for (const line of lines) {
      if (connection.state !== 'open') {
        stop()
        return
      }
      if (!connection.sendText(line)) full = true
    }
    if (full && !stopped) {
      stdin.pause()
      void connection.drained().then(() => {
        if (!stopped) stdin.resume()
      })
    }
  }
  const onData = (chunk: Uint8Array | string): void => {
    sendLines(splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk))
  }
  const onEnd = (): void => {
    sendLines(splitter.end())
    if (stopped || connection.state !== 'open') {
      stop()
      return
    }
    onClose()
    connection.close(1000)
    stop()
  }
  const stop = (): void => {
    if (stopped) return
    stopped = true
    stdin.off('data', onData)
    stdin.off('end', onEnd)
    stdin.off('error', onEnd)
    stdin.pause()
  }
  stdin.on('data', onData)
  stdin.once('end', onEnd)
  stdin.once('error', onEnd)
  return stop
}

/** Writes, waiting for 'drain' when the stream's buffer is full (backpressure to the socket). */
function write(stream: Writable, text: string): Promise<void> | undefined {
  if (stream.write(text)) return undefined
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done)
      stream.off('close', done)
      stream.off('error', done)
      resolve()
    }
    stream.on('drain', done)
    stream.on('close', done)
    stream.on('error', done)
  })
}
