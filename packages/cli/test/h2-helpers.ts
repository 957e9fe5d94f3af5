/**
 * WebSockets over HTTP/2 written by hand on node:http2, for the --h2 and serve tests: RFC 8441
 * extended CONNECT and RFC 6455 frames (text and close, payloads under 126 bytes), with no
 * code of this project on the other side.
 */
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  createServer as createH2cServer,
  createSecureServer,
  type Http2SecureServer,
  type Http2Server,
  connect as http2Connect,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2'
import { join } from 'node:path'
import { fixtures, within } from './harness.ts'

export const CA = readFileSync(join(fixtures, 'ca.pem'))
const CERT = readFileSync(join(fixtures, 'server.pem'))
const KEY = readFileSync(join(fixtures, 'server-key.pem'))

/** One frame (FIN set), masked as a client must (RFC 6455 5.3), unmasked as a server must. */
export function frame(opcode: number, payload: Buffer, masked: boolean): Buffer {
  if (payload.length > 125) throw new Error('short frames only')
  if (!masked) return Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload])
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78])
  const body = Buffer.from(payload.map((byte, index) => byte ^ (key[index % 4] as number)))
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), key, body])
}

/** Splits complete frames off `buffer`; returns them (unmasked) and what is left. */
export function readFrames(buffer: Buffer): {
  frames: { opcode: number; payload: Buffer; masked: boolean }[]
  rest: Buffer
} {
  const frames: { opcode: number; payload: Buffer; masked: boolean }[] = []
  let at = 0
  while (buffer.length - at >= 2) {
    const masked = ((buffer[at + 1] as number) & 0x80) !== 0
    let length = (buffer[at + 1] as number) & 0x7f
    let header = 2
    if (length === 126) {
      if (buffer.length - at < 4) break
      length = buffer.readUInt16BE(at + 2)
      header = 4
    } else if (length === 127) {
      throw new Error('frame too long for this test')
    }
    const total = header + (masked ? 4 : 0) + length
    if (buffer.length - at < total) break
    const key = buffer.subarray(at + header, at + header + (masked ? 4 : 0))
    const data = buffer.subarray(at + total - length, at + total)
    const payload = masked ? Buffer.from(data.map((byte, index) => byte ^ (key[index % 4] as number))) : data
    frames.push({ opcode: (buffer[at] as number) & 0x0f, payload: Buffer.from(payload), masked })
    at += total
  }
  return { frames, rest: buffer.subarray(at) }
}

export interface RawH2Server {
  url: string
  port: number
  /** The CONNECT requests it got. */
  requests: IncomingHttpHeaders[]
  close(): Promise<void>
}

/**
 * A bare node:http2 server: over TLS (ALPN h2 only) or h2c. With `connectProtocol` it sends
 * SETTINGS_ENABLE_CONNECT_PROTOCOL and answers an extended CONNECT with 200, then echoes text
 * frames and answers a close frame; without it, it is an HTTP/2 server without RFC 8441.
 */
export async function rawH2Server(secure: boolean, connectProtocol: boolean): Promise<RawH2Server> {
  const settings = { enableConnectProtocol: connectProtocol }
  const server: Http2Server | Http2SecureServer = secure
    ? createSecureServer({ cert: CERT, key: KEY, settings })
    : createH2cServer({ settings })
  const requests: IncomingHttpHeaders[] = []
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    stream.on('error', () => {})
    if (headers[':method'] !== 'CONNECT') {
      stream.respond({ ':status': 404 })
      stream.end()
      return
    }
    requests.push(headers)
    stream.respond({ ':status': 200 })
    let buffer: Buffer = Buffer.alloc(0)
    stream.on('data', (chunk: Buffer) => {
      const { frames, rest } = readFrames(Buffer.concat([buffer, chunk]))
      buffer = rest
      for (const { opcode, payload } of frames) {
        if (opcode === 1) stream.write(frame(1, payload, false))
        if (opcode === 8) stream.end(frame(8, payload, false))
      }
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  const sessions = new Set<{ destroy(): void }>()
  server.on('session', (session) => {
    sessions.add(session)
    session.on('close', () => sessions.delete(session))
  })
  return {
    url: `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}/`,
    port,
    requests,
    close: async () => {
      for (const session of sessions) session.destroy()
      server.close()
      await once(server, 'close')
    },
  }
}

/** Opens an HTTP/2 session to `origin` (https:// with the test CA, or http:// as h2c) and waits for its SETTINGS. */
export async function h2Session(origin: string): Promise<ClientHttp2Session> {
  const session = http2Connect(origin, origin.startsWith('https:') ? { ca: CA } : {})
  session.on('error', () => {})
  await within(once(session, 'remoteSettings'), 5000, `SETTINGS from ${origin}`)
  return session
}

/**
 * An RFC 8441 WebSocket on `session`: extended CONNECT, then one masked text frame; resolves
 * with the :status and the first frame that came back.
 */
export async function h2Echo(
  session: ClientHttp2Session,
  text: string,
): Promise<{ status: number; reply: { opcode: number; payload: string; masked: boolean } }> {
  const stream: ClientHttp2Stream = session.request(
    {
      ':method': 'CONNECT',
      ':protocol': 'websocket',
      ':scheme': session.encrypted ? 'https' : 'http',
      ':path': '/',
      ':authority': 'localhost',
      'sec-websocket-version': '13',
    },
    { endStream: false },
  )
  stream.on('error', () => {})
  const [headers] = (await within(once(stream, 'response'), 5000, 'the CONNECT response')) as [
    IncomingHttpHeaders,
  ]
  const status = Number(headers[':status'])
  stream.write(frame(1, Buffer.from(text), true))
  let buffer: Buffer = Buffer.alloc(0)
  const reply = await within(
    new Promise<{ opcode: number; payload: string; masked: boolean }>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => {
        const { frames, rest } = readFrames(Buffer.concat([buffer, chunk]))
        buffer = rest
        const first = frames[0]
        if (first !== undefined) resolve({ ...first, payload: first.payload.toString('utf8') })
      })
      stream.on('close', () => reject(new Error('the stream closed before a frame came')))
    }),
    5000,
    'the echo over HTTP/2',
  )
  stream.close()
  return { status, reply }
}
