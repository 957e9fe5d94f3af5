/**
 * Opens ws:// and wss:// transports with Deno.connect and Deno.connectTls, as WHATWG byte
 * streams run by @ws/driver's streams transport.
 *
 * The streams are made here from conn.read() / conn.write() rather than taken from
 * `conn.readable` / `conn.writable`: Deno closes the whole connection when its readable sees
 * the peer's FIN and when its writable is closed, so with those a WebSocket could not send its
 * close reply after the server's FIN, nor end its side and still read the server's last bytes.
 * Here closing the writable is `closeWrite()` (a TCP FIN, or TLS close_notify), and the
 * connection is closed once both ways are done, or at once when the transport is destroyed.
 */
import type { AbortSignalLike, ByteTransport, ConnectTarget, WebByteSocket } from '@ws/driver'
import { streamsTransport } from '@ws/driver'
import {
  type DenoConn,
  type DenoConnectTlsOptions,
  deno,
  globals,
  type StreamController,
} from './deno-globals.ts'

/** Bytes asked of each conn.read(). */
const READ_SIZE = 64 * 1024
/** Reads shorter than this are copied out, and the read buffer is reused. */
const COPY_BELOW = 16 * 1024
/** Bytes the writable queues before its desiredSize reaches 0. */
const WRITE_HIGH_WATER_MARK = 64 * 1024

/** TLS options a WebSocket constructor may carry (`new WebSocket(url, { ca })`). */
export interface DenoTlsOptions {
  /** PEM CA certificate(s) to trust besides the default roots. */
  ca?: string | string[]
  /** PEM client certificate and key, for servers that ask for one. */
  cert?: string
  key?: string
}

function pemList(value: unknown, what: string): string[] | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'string') return [value]
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value
  throw new TypeError(`${what} must be a PEM string or an array of them`)
}

/** Deno's TLS options from a WebSocket's options; refuses what Deno cannot do per connection. */
export function tlsOptions(
  target: ConnectTarget,
  options: Readonly<Record<string, unknown>>,
): DenoConnectTlsOptions {
  if (options.rejectUnauthorized === false) {
    throw new TypeError(
      'Deno cannot skip certificate checks for one connection: trust the certificate with `ca`, or run Deno with --unsafely-ignore-certificate-errors',
    )
  }
  if (options.servername !== undefined) {
    throw new TypeError('Deno.connectTls has no servername option: the URL host is the name checked')
  }
  const result: DenoConnectTlsOptions = { hostname: target.host, port: target.port }
  const ca = pemList(options.ca, 'ca')
  if (ca !== undefined) result.caCerts = ca
  for (const key of ['cert', 'key'] as const) {
    const value = options[key]
    if (value === undefined) continue
    if (typeof value !== 'string') throw new TypeError(`${key} must be a PEM string`)
    result[key] = value
  }
  return result
}

/** The connection's two directions as WHATWG streams, with `close` to release it. */
export function connStreams(conn: DenoConn): WebByteSocket {
  let closed = false
  const close = (): void => {
    if (closed) return
    closed = true
    try {
      conn.close()
    } catch {
      // Already closed.
    }
  }
  let buffer: Uint8Array | null = null
  const readable = new globals.ReadableStream(
    {
      async pull(controller: StreamController) {
        buffer ??= new Uint8Array(READ_SIZE)
        const n = await conn.read(buffer)
        if (n === null) {
          controller.close()
          return
        }
        if (n < COPY_BELOW) controller.enqueue(buffer.slice(0, n))
        else {
          // Handed over: the next read gets a new buffer.
          controller.enqueue(buffer.subarray(0, n))
          buffer = null
        }
      },
      cancel: close,
    },
    // Read only when asked: while the transport is paused, nothing is read and TCP pushes back.
    { highWaterMark: 0 },
  )
  const writable = new globals.WritableStream(
    {
      async write(chunk: Uint8Array) {
        let offset = 0
        while (offset < chunk.length) offset += await conn.write(chunk.subarray(offset))
      },
      close: () => conn.closeWrite(),
      abort: close,
    },
    { highWaterMark: WRITE_HIGH_WATER_MARK, size: (chunk) => chunk.length },
  )
  return { readable, writable, close } as WebByteSocket
}

/**
 * Opens a transport to `target` with Deno.connect, or Deno.connectTls for wss://. Rejects with
 * the connection error (with Node's `code` where there is one: ECONNREFUSED...; else Deno's error
 * name, such as InvalidData) or
 * with `signal.reason` when the signal aborts first.
 */
export async function openDenoTransport(
  target: ConnectTarget,
  signal: AbortSignalLike,
  options: Readonly<Record<string, unknown>> = {},
): Promise<ByteTransport> {
  const namespace = deno()
  if (signal.aborted) throw signal.reason
  const connecting = target.secure
    ? namespace.connectTls(tlsOptions(target, options))
    : namespace.connect({ hostname: target.host, port: target.port })
  const conn = await new Promise<DenoConn>((resolve, reject) => {
    let aborted = false
    const onAbort = (): void => {
      aborted = true
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort)
    connecting.then(
      (opened) => {
        signal.removeEventListener('abort', onAbort)
        if (aborted) opened.close()
        else resolve(opened)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(withCode(error))
      },
    )
  })
  try {
    // Complete the TLS handshake now, so that certificate errors are connection errors.
    if (target.secure && conn.handshake) await conn.handshake()
    conn.setNoDelay?.(true)
  } catch (error) {
    try {
      conn.close()
    } catch {
      // Already closed.
    }
    throw withCode(error)
  }
  return streamsTransport(connStreams(conn), {
    info: { transport: target.secure ? 'deno-tls' : 'deno-tcp', remoteAddress: conn.remoteAddr },
  })
}

/** Deno's error names for what Node calls by its POSIX codes. */
const POSIX_CODES: Record<string, string> = {
  ConnectionRefused: 'ECONNREFUSED',
  ConnectionReset: 'ECONNRESET',
  ConnectionAborted: 'ECONNABORTED',
  TimedOut: 'ETIMEDOUT',
  AddrNotAvailable: 'EADDRNOTAVAIL',
  BrokenPipe: 'EPIPE',
}

/**
 * Deno's errors have a name (ConnectionRefused...) but no `code`: give them the code Node would
 * (ECONNREFUSED...), or their name when there is none, so ConnectError codes match across runtimes.
 */
export function withCode(error: unknown): unknown {
  if (error instanceof Error && (error as { code?: unknown }).code === undefined) {
    ;(error as { code?: string }).code =
      POSIX_CODES[error.name] ?? (error.name === 'Error' ? 'ERR_NETWORK' : error.name)
  }
  return error
}
