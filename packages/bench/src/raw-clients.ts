/**
 * Bare WebSocket clients for the scale scenario: a TCP socket that sends the opening handshake,
 * checks the 101 answer and its Sec-WebSocket-Accept (RFC 6455 section 4.2.2), and then stays
 * idle, discarding whatever arrives. They cost their process little, so that two child processes
 * can hold 20,000 of them.
 */
import { createHash, randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
/** A handshake that has not finished within this many ms fails. */
export const HANDSHAKE_TIMEOUT = 30_000

export interface RawClient {
  readonly socket: Socket
  /** Ends the connection with a TCP reset: no TIME_WAIT state is left on the client's port. */
  reset(): void
  /** Bytes that came after the server's head in the same reads (the start of its first frames). */
  readonly rest: Buffer
}

/** The Sec-WebSocket-Accept a server must answer to `key`. */
export const acceptFor = (key: string): string =>
  createHash('sha1')
    .update(key + GUID)
    .digest('base64')

/** Opens one client to ws://127.0.0.1:PORT/; rejects unless the server switches protocols correctly. */
export function openRawClient(port: number, timeoutMs = HANDSHAKE_TIMEOUT): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64')
    const socket = connect({ host: '127.0.0.1', port })
    let head = ''
    let settled = false
    const fail = (message: string): void => {
      if (settled) return
      settled = true
      socket.destroy()
      reject(new Error(`raw client: ${message}`))
    }
    socket.setTimeout(timeoutMs, () => fail(`no handshake answer within ${timeoutMs} ms`))
    socket.once('error', (error) => fail(error.message))
    socket.once('close', () => fail('the server closed the connection during the handshake'))
    socket.on('data', (chunk: Buffer) => {
      if (settled) return
      head += chunk.toString('latin1')
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) return
      const lines = head.slice(0, end).split('\r\n')
      const accept = lines.find((line) => /^sec-websocket-accept:/i.test(line))
      if (!/^HTTP\/1\.1 101 /.test(lines[0] ?? '')) return fail(`the server answered ${lines[0]}`)
      if (accept?.slice(accept.indexOf(':') + 1).trim() !== acceptFor(key)) {
        return fail(`a wrong or missing Sec-WebSocket-Accept: ${accept}`)
      }
      settled = true
      socket.setTimeout(0)
      // Idle from now on: anything that arrives (the server sends nothing unasked) is dropped.
      socket.on('error', () => {})
      resolve({
        socket,
        reset: () => socket.resetAndDestroy(),
        rest: Buffer.from(head.slice(end + 4), 'latin1'),
      })
    })
    socket.once('connect', () =>
      socket.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    )
  })
}

/** Opens `count` clients, `concurrency` handshakes at a time; on a failure, resets those opened and rejects. */
export async function openRawClients(port: number, count: number, concurrency = 100): Promise<RawClient[]> {
  const clients: RawClient[] = []
  while (clients.length < count) {
    const batch = Math.min(concurrency, count - clients.length)
    const opened = await Promise.allSettled(Array.from({ length: batch }, () => openRawClient(port)))
    for (const result of opened) if (result.status === 'fulfilled') clients.push(result.value)
    const failure = opened.find((result) => result.status === 'rejected')
    if (failure) {
      for (const client of clients) client.reset()
      throw failure.reason
    }
  }
  return clients
}
