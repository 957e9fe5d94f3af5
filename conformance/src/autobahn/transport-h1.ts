// The fuzzer over HTTP/1.1: one TCP connection per case and the RFC 6455 opening handshake
// (GET with Upgrade, 101 Switching Protocols), written and read by hand.
import { randomBytes } from 'node:crypto'
import { createServer, connect as netConnect, type Socket } from 'node:net'
import type { Case } from './case.ts'
import { tcpChannel } from './channel.ts'
import { agreedDeflate, answerOffers, offerHeader } from './negotiate.ts'
import type { FuzzerTransport, IncomingRequest, Listening, Opened } from './transport.ts'
import { acceptFor, concat, type HttpHead, readHttpHead } from './wire.ts'

const HANDSHAKE_TIMEOUT_MS = 5000

/** Reads an HTTP head from a socket; resolves with it and the bytes after it. */
function readHead(socket: Socket): Promise<{ head: HttpHead; rest: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    const timer = setTimeout(() => finish(new Error('no HTTP head in time')), HANDSHAKE_TIMEOUT_MS)
    const finish = (error: Error | null, value?: { head: HttpHead; rest: Uint8Array }) => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('close', onClose)
      socket.off('error', onError)
      if (error !== null) reject(error)
      else resolve(value as { head: HttpHead; rest: Uint8Array })
    }
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      try {
        const found = readHttpHead(chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks))
        if (found !== null) finish(null, found)
      } catch (error) {
        finish(error as Error)
      }
    }
    const onClose = () => finish(new Error('connection closed during the handshake'))
    const onError = (error: Error) => finish(error)
    socket.on('data', onData)
    socket.on('close', onClose)
    socket.on('error', onError)
  })
}

/** The fuzzer as a client: opening handshake against the implementation's server. */
async function clientHandshake(socket: Socket, port: number, kase: Case): Promise<Opened> {
  const key = randomBytes(16).toString('base64')
  const lines = [
    'GET /runCase HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
  ]
  const offer = offerHeader(kase)
  if (offer !== null) lines.push(`Sec-WebSocket-Extensions: ${offer}`)
  socket.write(`${lines.join('\r\n')}\r\n\r\n`)
  const { head, rest } = await readHead(socket)
  if (!/^HTTP\/1\.1 101 /.test(head.startLine)) throw new Error(`handshake answered ${head.startLine}`)
  if (head.headers.get('sec-websocket-accept') !== acceptFor(key))
    throw new Error('wrong Sec-WebSocket-Accept')
  if (head.headers.get('upgrade')?.toLowerCase() !== 'websocket') throw new Error('no Upgrade: websocket')
  const deflate = agreedDeflate(kase, head.headers.get('sec-websocket-extensions'))
  return { channel: tcpChannel(socket), deflate, leftover: rest }
}

/** The fuzzer as a server: answers the implementation's client for `kase`. */
function serverHandshake(socket: Socket, head: HttpHead, rest: Uint8Array, kase: Case): Opened {
  const key = head.headers.get('sec-websocket-key')
  if (key === undefined || !/^GET /.test(head.startLine)) throw new Error('not a WebSocket request')
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptFor(key)}`,
  ]
  const { header, deflate } = answerOffers(kase, head.headers.get('sec-websocket-extensions'))
  if (header !== null) lines.push(`Sec-WebSocket-Extensions: ${header}`)
  socket.write(`${lines.join('\r\n')}\r\n\r\n`)
  return { channel: tcpChannel(socket), deflate, leftover: rest }
}

export const h1: FuzzerTransport = {
  name: 'h1',

  async open(port, kase) {
    const socket = netConnect({ host: '127.0.0.1', port })
    socket.on('error', () => {})
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve)
        socket.once('error', reject)
      })
      return await clientHandshake(socket, port, kase)
    } catch (error) {
      socket.destroy()
      throw error
    }
  },

  async listen(onRequest) {
    const server = createServer((socket) => {
      socket.on('error', () => {})
      readHead(socket).then(
        ({ head, rest }) => {
          const request: IncomingRequest = {
            target: head.startLine.split(' ')[1] ?? '',
            notFound: () => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'),
            accept: (kase) => serverHandshake(socket, head, rest, kase),
            destroy: () => socket.destroy(),
          }
          onRequest(request)
        },
        () => socket.destroy(),
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const listening: Listening = {
      port: (server.address() as { port: number }).port,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    }
    return listening
  },
}
