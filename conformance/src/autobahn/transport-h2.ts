// The fuzzer over HTTP/2 (RFC 8441): node:http2 carries the streams, and the opening handshake is
// written and checked by hand, an extended CONNECT (:method CONNECT, :protocol websocket)
// answered with 200. As a client the fuzzer opens one session per case, as Autobahn opens one
// TCP connection per case; as a server it takes every stream the client under test opens (our
// client shares one session per origin). The frames on the stream are the peer's own.
import { once } from 'node:events'
import {
  type ClientHttp2Session,
  createServer as createHttp2Server,
  connect as http2Connect,
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2'
import { connect as netConnect, type Socket } from 'node:net'
import type { Case } from './case.ts'
import { h2Channel, resetStream } from './channel.ts'
import { agreedDeflate, answerOffers, offerHeader } from './negotiate.ts'
import type { FuzzerTransport, IncomingRequest, Listening, Opened } from './transport.ts'

const HANDSHAKE_TIMEOUT_MS = 5000

/** A field as one string: repeated fields joined with ", ", absent as undefined. */
function field(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** Resolves with what `event` gave, rejects when `failOn` fires first or after the timeout. */
function waitFor<T extends unknown[]>(
  emitter: NodeJS.EventEmitter,
  event: string,
  what: string,
  failOn: string,
): Promise<T> {
  const signal = AbortSignal.timeout(HANDSHAKE_TIMEOUT_MS)
  const failed = once(emitter, failOn, { signal }).then(() => {
    throw new Error(`${what}: closed before it came`)
  })
  return Promise.race([once(emitter, event, { signal }) as Promise<T>, failed]).catch((error: Error) => {
    throw error.name === 'AbortError' ? new Error(`${what}: none in time`) : error
  })
}

/** Opens an h2c session (prior knowledge) to 127.0.0.1:`port` and waits for its SETTINGS. */
async function openSession(port: number): Promise<ClientHttp2Session> {
  const session = http2Connect(`http://127.0.0.1:${port}`, {
    createConnection: () => netConnect({ host: '127.0.0.1', port, noDelay: true }),
  })
  session.on('error', () => {})
  try {
    await waitFor(session, 'remoteSettings', 'the server SETTINGS', 'close')
  } catch (error) {
    session.destroy()
    throw error
  }
  return session
}

/** The extended CONNECT (RFC 8441 section 4) for a case. */
function connectHeaders(port: number, kase: Case): Record<string, string> {
  const headers: Record<string, string> = {
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': 'http',
    ':path': '/runCase',
    ':authority': `127.0.0.1:${port}`,
    'sec-websocket-version': '13',
  }
  const offer = offerHeader(kase)
  if (offer !== null) headers['sec-websocket-extensions'] = offer
  return headers
}

/** The fuzzer as a client: extended CONNECT on a new session, then the case on the stream. */
async function open(port: number, kase: Case): Promise<Opened> {
  const session = await openSession(port)
  try {
    if (session.remoteSettings.enableConnectProtocol !== true) {
      throw new Error('the server did not send SETTINGS_ENABLE_CONNECT_PROTOCOL')
    }
    const stream = session.request(connectHeaders(port, kase), { endStream: false })
    stream.on('error', () => {})
    stream.once('close', () => session.close())
    const [response] = await waitFor<[IncomingHttpHeaders]>(stream, 'response', 'the response', 'close')
    // node:http2 gives the status as a number, whatever its types say.
    const status = Number(response[':status'])
    if (status !== 200) throw new Error(`handshake answered ${status}`)
    const deflate = agreedDeflate(kase, field(response, 'sec-websocket-extensions'))
    return { channel: h2Channel(stream), deflate, leftover: new Uint8Array(0) }
  } catch (error) {
    // Destroying the session resets its stream too.
    session.destroy()
    throw error
  }
}

/** Why a request is not an extended CONNECT for a WebSocket (RFC 8441 section 5), or null. */
function refusal(headers: IncomingHttpHeaders): string | null {
  if (headers[':method'] !== 'CONNECT') return `not a WebSocket request (${headers[':method']})`
  if (headers[':protocol'] !== 'websocket')
    return `not a WebSocket request (:protocol ${headers[':protocol']})`
  if (headers[':scheme'] !== 'http' || !headers[':path'] || !headers[':authority'])
    return 'an extended CONNECT without :scheme http, :path and :authority'
  if (headers['sec-websocket-version'] !== '13') return 'no Sec-WebSocket-Version: 13'
  return null
}

/** Answers with `status` and no body. */
function respond(stream: ServerHttp2Stream, status: number): void {
  if (stream.destroyed || stream.headersSent) return
  stream.respond({ ':status': status }, { endStream: true })
}

/** The fuzzer as a server: an HTTP/2 server that offers extended CONNECT. */
async function listen(onRequest: (request: IncomingRequest) => void): Promise<Listening> {
  const sessions = new Set<ServerHttp2Session>()
  const server = createHttp2Server({ settings: { enableConnectProtocol: true } })
  server.on('connection', (socket: Socket) => socket.setNoDelay(true))
  server.on('session', (session) => {
    sessions.add(session)
    session.on('error', () => {})
    session.once('close', () => sessions.delete(session))
  })
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {})
    onRequest({
      target: String(headers[':path'] ?? ''),
      notFound: () => respond(stream, 404),
      accept: (kase) => {
        const why = refusal(headers)
        if (why !== null) {
          respond(stream, 400)
          throw new Error(why)
        }
        const { header, deflate } = answerOffers(kase, field(headers, 'sec-websocket-extensions'))
        stream.respond({ ':status': 200, ...(header === null ? {} : { 'sec-websocket-extensions': header }) })
        return { channel: h2Channel(stream), deflate, leftover: new Uint8Array(0) }
      },
      // A refusal already answered (400) is left to end as answered.
      destroy: () => {
        if (!stream.headersSent) resetStream(stream)
      },
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const session of sessions) session.close()
      }),
  }
}

export const h2: FuzzerTransport = { name: 'h2', open, listen }
