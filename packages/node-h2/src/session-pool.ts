/**
 * Client HTTP/2 sessions, one per origin, shared by every WebSocket to that origin. A session is
 * opened over TLS with ALPN h2 (wss://) or as prior-knowledge h2c (ws://); it is forgotten once
 * it closes or the server sends GOAWAY. A session keeps the process alive only while it carries
 * streams.
 */
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  connect as http2Connect,
  type OutgoingHttpHeaders,
} from 'node:http2'
import { isIP, connect as netConnect, type Socket } from 'node:net'
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls'
import type { ConnectTarget } from '@ws/driver'

/** Why there is no HTTP/2 session to use. */
export class NoHttp2Error extends Error {
  readonly code = 'WS_ERR_H2_UNAVAILABLE'
  private socket: TLSSocket | undefined
  constructor(message: string, socket?: TLSSocket) {
    super(message)
    this.name = 'NoHttp2Error'
    this.socket = socket
  }

  /**
   * For wss://, the TLS socket when the server chose http/1.1 by ALPN: it can carry the
   * HTTP/1.1 handshake instead. The first caller gets it, later ones undefined.
   */
  takeSocket(): TLSSocket | undefined {
    const socket = this.socket
    this.socket = undefined
    return socket
  }
}

/** How long opening a shared session may take before it fails for everyone waiting on it. */
const SESSION_TIMEOUT = 30_000

interface Entry {
  session: ClientHttp2Session
  streams: number
}

const optionIds = new WeakMap<object, number>()
let nextOptionId = 1

export class H2SessionPool {
  private readonly pending = new Map<string, Promise<Entry>>()
  private readonly http1Only = new Set<string>()

  /** The pool's key for a target and TLS options (different option objects never share). */
  key(target: ConnectTarget, tls: ConnectionOptions | undefined): string {
    let id = 0
    if (tls !== undefined) {
      id = optionIds.get(tls) ?? nextOptionId++
      optionIds.set(tls, id)
    }
    const host = isIP(target.host) === 6 ? `[${target.host}]` : target.host
    return `${target.secure ? 'https' : 'http'}://${host}:${target.port}#${id}`
  }

  /** True once an origin was found not to offer extended CONNECT (then HTTP/1.1 is used directly). */
  knownHttp1(key: string): boolean {
    return this.http1Only.has(key)
  }

  markHttp1(key: string): void {
    this.http1Only.add(key)
  }

  /**
   * The origin's session, opened if needed (shared by concurrent callers; `signal` stops this
   * caller's wait only). Rejects with NoHttp2Error or the network error.
   */
  session(
    key: string,
    target: ConnectTarget,
    tls: ConnectionOptions | undefined,
    signal: AbortSignal,
  ): Promise<ClientHttp2Session> {
    let pending = this.pending.get(key)
    if (pending === undefined) {
      const opening = openSession(target, tls, AbortSignal.timeout(SESSION_TIMEOUT)).then((session) =>
        this.adopt(key, session),
      )
      pending = opening
      this.pending.set(key, opening)
      opening.catch(() => {
        if (this.pending.get(key) === opening) this.pending.delete(key)
      })
    }
    const shared = pending
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason)
      if (signal.aborted) {
        onAbort()
        return
      }
      signal.addEventListener('abort', onAbort, { once: true })
      shared.then(
        (entry) => {
          signal.removeEventListener('abort', onAbort)
          resolve(entry.session)
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort)
          reject(error)
        },
      )
    })
  }

  /** Opens a stream on a session; the session stays referenced while it has open streams. */
  request(session: ClientHttp2Session, headers: OutgoingHttpHeaders): ClientHttp2Stream {
    const stream = session.request(headers, { endStream: false })
    const entry = this.entries.get(session)
    if (entry !== undefined) {
      if (entry.streams++ === 0) session.ref()
      stream.once('close', () => {
        if (--entry.streams === 0 && !session.destroyed) session.unref()
      })
    }
    return stream
  }

  /** Closes every session (open streams are ended by their peers or reset). */
  close(): void {
    for (const entry of this.entries.values()) entry.session.close()
    this.pending.clear()
  }

  private readonly entries = new Map<ClientHttp2Session, Entry>()

  private adopt(key: string, session: ClientHttp2Session): Entry {
    const entry: Entry = { session, streams: 0 }
    this.entries.set(session, entry)
    const forget = (): void => {
      this.entries.delete(session)
      const current = this.pending.get(key)
      if (current !== undefined) {
        void current.then((found) => {
          if (found === entry && this.pending.get(key) === current) this.pending.delete(key)
        })
      }
    }
    session.once('close', forget)
    session.once('goaway', forget)
    session.on('error', () => {})
    session.unref()
    return entry
  }
}

/** The pool `connect()` uses unless given another. */
export const defaultPool = new H2SessionPool()

/** Opens the transport and the HTTP/2 session, and waits for the server's SETTINGS. */
async function openSession(
  target: ConnectTarget,
  tls: ConnectionOptions | undefined,
  signal: AbortSignal,
): Promise<ClientHttp2Session> {
  const socket = target.secure ? await openTls(target, tls, signal) : await openTcp(target, signal)
  const host = isIP(target.host) === 6 ? `[${target.host}]` : target.host
  const authority = `${target.secure ? 'https' : 'http'}://${host}:${target.port}`
  const session = http2Connect(authority, { createConnection: () => socket })
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      cleanup()
      session.destroy()
      socket.destroy()
      reject(error)
    }
    const noHttp2 = (): void =>
      fail(
        new NoHttp2Error(
          target.secure
            ? 'the server closed the HTTP/2 session before its SETTINGS'
            : 'the server does not speak HTTP/2 with prior knowledge (h2c)',
        ),
      )
    const onAbort = (): void => fail(signal.reason as Error)
    const onSettings = (): void => {
      cleanup()
      resolve(session)
    }
    const cleanup = (): void => {
      signal.removeEventListener('abort', onAbort)
      session.removeListener('remoteSettings', onSettings)
      session.removeListener('error', noHttp2)
      session.removeListener('close', noHttp2)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    session.once('remoteSettings', onSettings)
    session.once('error', noHttp2)
    session.once('close', noHttp2)
  })
}

function openTcp(target: ConnectTarget, signal: AbortSignal): Promise<Socket> {
  return connected(netConnect({ host: target.host, port: target.port }), 'connect', signal)
}

async function openTls(
  target: ConnectTarget,
  options: ConnectionOptions | undefined,
  signal: AbortSignal,
): Promise<TLSSocket> {
  const name = options?.servername ?? (isIP(target.host) === 0 ? target.host : undefined)
  const socket = tlsConnect({
    ...options,
    host: target.host,
    port: target.port,
    ALPNProtocols: ['h2', 'http/1.1'],
    ...(name === undefined ? {} : { servername: name }),
  })
  await connected(socket, 'secureConnect', signal)
  if (socket.alpnProtocol !== 'h2') {
    throw new NoHttp2Error(`the server chose ${socket.alpnProtocol || 'no protocol'} by ALPN, not h2`, socket)
  }
  return socket
}

/** Resolves with the socket once `event` fired; rejects with its error or the abort reason. */
function connected<T extends Socket>(socket: T, event: string, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      socket.destroy()
      reject(signal.reason)
    }
    const onError = (error: Error): void => {
      signal.removeEventListener('abort', onAbort)
      reject(error)
    }
    if (signal.aborted) {
      onAbort()
      return
    }
    signal.addEventListener('abort', onAbort, { once: true })
    socket.once('error', onError)
    socket.once(event, () => {
      signal.removeEventListener('abort', onAbort)
      socket.removeListener('error', onError)
      resolve(socket)
    })
  })
}
