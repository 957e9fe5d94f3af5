/**
 * Helpers for the hostile-peer tests: frames built by hand (never with @ws/proto), a reader for
 * the frames a server sends to a raw socket, and a health check with our own client.
 */
import { createHash } from 'node:crypto'
import type { Socket } from 'node:net'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { connect } from '../src/index.ts'
import { deadline, rawSocket, readUntil } from './helpers.ts'

export const KEY = 'dGhlIHNhbXBsZSBub25jZQ=='

/** Sec-WebSocket-Accept for `key`, computed with node:crypto. */
export function acceptFor(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')
}

/** An upgrade request with extra header lines (each 'Name: value'). */
export function upgradeRequest(extra: readonly string[] = []): string {
  return [
    'GET / HTTP/1.1',
    'Host: 127.0.0.1',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${KEY}`,
    'Sec-WebSocket-Version: 13',
    ...extra,
    '',
    '',
  ].join('\r\n')
}

/**
 * One frame, as a client sends it: masked with the all-zero key (legal, and the payload stays
 * readable). `length` overrides the announced payload length (a bigint for the 64-bit form);
 * the payload bytes written are `payload` whatever is announced.
 */
export function clientFrame(
  opcode: number,
  payload: Uint8Array = new Uint8Array(0),
  options: { fin?: boolean; rsv1?: boolean; length?: number | bigint } = {},
): Buffer {
  const fin = options.fin ?? true
  const first = (fin ? 0x80 : 0) | (options.rsv1 ? 0x40 : 0) | opcode
  const announced = options.length ?? payload.length
  let header: Buffer
  if (typeof announced === 'bigint' || announced > 0xffff) {
    header = Buffer.alloc(2 + 8 + 4)
    header[1] = 0x80 | 127
    header.writeBigUInt64BE(BigInt(announced), 2)
  } else if (announced > 125) {
    header = Buffer.alloc(2 + 2 + 4)
    header[1] = 0x80 | 126
    header.writeUInt16BE(announced, 2)
  } else {
    header = Buffer.alloc(2 + 4)
    header[1] = 0x80 | announced
  }
  header[0] = first
  return Buffer.concat([header, payload])
}

export const TEXT = 0x1
export const BINARY = 0x2
export const CONTINUATION = 0x0
export const CLOSE = 0x8
export const PING = 0x9
export const PONG = 0xa

export interface ServerFrame {
  fin: boolean
  rsv1: boolean
  opcode: number
  payload: Buffer
}

/**
 * Reads the frames a server sends on a raw socket (unmasked), after the handshake response.
 * `closed` resolves when the socket is closed; `frames` holds every frame so far.
 */
export class FrameReader {
  readonly frames: ServerFrame[] = []
  readonly closed: Promise<void>
  private buffer: Buffer
  private waiters: (() => void)[] = []
  private isClosed = false

  constructor(
    readonly socket: Socket,
    leftover: Buffer = Buffer.alloc(0),
  ) {
    this.buffer = leftover
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
      this.parse()
    })
    socket.on('error', () => {})
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true
        this.wake()
        resolve()
      }),
    )
    this.parse()
  }

  private parse(): void {
    while (this.buffer.length >= 2) {
      const b0 = this.buffer[0] as number
      const b1 = this.buffer[1] as number
      if ((b1 & 0x80) !== 0) throw new Error('a server frame was masked')
      let length = b1 & 0x7f
      let offset = 2
      if (length === 126) {
        if (this.buffer.length < 4) return
        length = this.buffer.readUInt16BE(2)
        offset = 4
      } else if (length === 127) {
        if (this.buffer.length < 10) return
        length = Number(this.buffer.readBigUInt64BE(2))
        offset = 10
      }
      if (this.buffer.length < offset + length) return
      this.frames.push({
        fin: (b0 & 0x80) !== 0,
        rsv1: (b0 & 0x40) !== 0,
        opcode: b0 & 0x0f,
        payload: Buffer.from(this.buffer.subarray(offset, offset + length)),
      })
      this.buffer = this.buffer.subarray(offset + length)
    }
    this.wake()
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter()
  }

  /** Waits until `predicate(frames)` holds (or fails when the socket closes first, or at `ms`). */
  until(predicate: (frames: ServerFrame[]) => boolean, ms = 5000, what = 'frames'): Promise<ServerFrame[]> {
    return deadline(
      new Promise<ServerFrame[]>((resolve, reject) => {
        const check = (): void => {
          if (predicate(this.frames)) resolve(this.frames)
          else if (this.isClosed) reject(new Error(`socket closed while waiting for ${what}`))
          else this.waiters.push(check)
        }
        check()
      }),
      ms,
      `waiting for ${what}`,
    )
  }

  /** The server's close frame: waits for it and returns its code (1005 when empty). */
  async closeCode(ms = 5000): Promise<number> {
    const frames = await this.until((all) => all.some((f) => f.opcode === CLOSE), ms, 'a close frame')
    const close = frames.find((f) => f.opcode === CLOSE) as ServerFrame
    return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 1005
  }
}

/**
 * A raw socket that did the opening handshake by hand. Resolves with the socket, the response
 * head and a FrameReader for what follows.
 */
export async function rawWebSocket(
  port: number,
  extra: readonly string[] = [],
): Promise<{ socket: Socket; head: string; reader: FrameReader }> {
  const socket = await rawSocket(port)
  socket.setNoDelay(true)
  socket.on('error', () => {})
  let received = Buffer.alloc(0)
  const collect = (chunk: Buffer): void => {
    received = Buffer.concat([received, chunk])
  }
  socket.on('data', collect)
  socket.write(upgradeRequest(extra))
  await readUntil(socket, /\r\n\r\n/)
  socket.off('data', collect)
  const end = received.indexOf('\r\n\r\n') + 4
  const head = received.subarray(0, end).toString('latin1')
  if (!head.startsWith('HTTP/1.1 101 ')) throw new Error(`handshake refused: ${head}`)
  return { socket, head, reader: new FrameReader(socket, received.subarray(end)) }
}

/**
 * Writes a raw request and returns the response head (up to the blank line; '' when the socket
 * closed without one). Write errors (the server closing early) are ignored.
 */
export async function answerTo(port: number, request: string | Buffer, ms = 5000): Promise<string> {
  const socket = await rawSocket(port)
  socket.on('error', () => {})
  let text = ''
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1')
  })
  const answered = new Promise<void>((resolve) => {
    const check = (): void => {
      if (text.includes('\r\n\r\n')) resolve()
    }
    socket.on('data', check)
    socket.once('close', () => resolve())
  })
  socket.write(request)
  try {
    await deadline(answered, ms, 'the answer to a request')
  } finally {
    socket.destroy()
  }
  return text.slice(0, Math.max(0, text.indexOf('\r\n\r\n')))
}

/** Our own client connects, echoes a text and a binary message, and closes with 1000. */
export async function assertHealthy(port: number): Promise<void> {
  const client = await deadline(connect(`ws://127.0.0.1:${port}/`), 5000, 'a healthy connect')
  try {
    const replies: unknown[] = []
    const got = new Promise<void>((resolve) => {
      client.on('text', (event) => {
        replies.push(event.data)
        if (replies.length === 2) resolve()
      })
      client.on('binary', (event) => {
        replies.push(Buffer.from(event.data).toString('hex'))
        if (replies.length === 2) resolve()
      })
    })
    client.sendText('still alive')
    client.sendBinary(Uint8Array.of(1, 2, 3))
    await deadline(got, 5000, 'the echo from a healthy server')
    if (replies[0] !== 'still alive' || replies[1] !== '010203') {
      throw new Error(`unexpected echo ${JSON.stringify(replies)}`)
    }
    client.close(1000)
    const closed = await deadline(client.closed, 5000, 'a healthy close')
    if (closed.code !== 1000 || !closed.wasClean) throw new Error(`unclean close ${closed.code}`)
  } finally {
    client.terminate()
  }
}

/** Resolves when the socket is closed, within `ms`. */
export function socketClosed(socket: Socket, ms = 5000, what = 'the socket closing'): Promise<unknown> {
  if (socket.destroyed && socket.closed) return Promise.resolve()
  // Cut off is cut off, by FIN or by RST: a server that destroys a socket with unread input in
  // its receive buffer makes the kernel send RST, and the peer sees ECONNRESET before 'close'.
  return deadline(new Promise((resolve) => socket.once('close', resolve)), ms, what)
}

/** JavaScript heap plus memory outside it (Buffers, ArrayBuffers), in bytes. */
function allocated(): number {
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.external
}

/**
 * Peak growth of the process's allocated memory (heap and buffers) while `work` runs, sampled
 * every few milliseconds and at the end.
 */
export async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const before = allocated()
  let peak = before
  const sampler = setInterval(() => {
    peak = Math.max(peak, allocated())
  }, 5)
  try {
    const result = await work()
    peak = Math.max(peak, allocated())
    return { result, growth: peak - before }
  } finally {
    clearInterval(sampler)
  }
}

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

/** Memory still allocated (heap and buffers) after a full garbage collection, in bytes. */
export function retained(): number {
  collectGarbage()
  collectGarbage()
  return allocated()
}

export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
