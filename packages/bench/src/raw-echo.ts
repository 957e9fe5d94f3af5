/**
 * A bare echo client for the small-message scenario, so that the load generator is not what sets
 * the pace: after the opening handshake (raw-clients.ts, which checks the 101 and the accept key),
 * it sends each message as one masked frame built once per message and client, in a write of its
 * own (as ws's client and browsers do: no batching that would favour one server), and parses the
 * server's unmasked frames with a few byte reads. Payloads arrive as views of the socket's chunk (or of a
 * joined buffer when a frame spans chunks), valid during the listener call, which is all the
 * pipeline needs. Anything a plain echo server must not send (a masked or fragmented frame, an
 * RSV bit, an unknown opcode, a close before ours) is reported as an error, never ignored.
 * permessage-deflate is not offered.
 */
import { randomBytes } from 'node:crypto'
import type { EchoClient, Message } from './load.ts'
import { openRawClient } from './raw-clients.ts'

const TEXT = 0x1
const BINARY = 0x2
const CLOSE = 0x8
const PING = 0x9
const PONG = 0xa

/** One masked frame with FIN set: RFC 6455 section 5.2, a client's frame. */
export function maskedFrame(opcode: number, payload: Uint8Array, key: Uint8Array): Buffer {
  const length = payload.length
  const extended = length < 126 ? 0 : length < 65536 ? 2 : 8
  const frame = Buffer.allocUnsafe(2 + extended + 4 + length)
  frame[0] = 0x80 | opcode
  if (extended === 0) frame[1] = 0x80 | length
  else if (extended === 2) {
    frame[1] = 0x80 | 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 0x80 | 127
    frame.writeBigUInt64BE(BigInt(length), 2)
  }
  const at = 2 + extended
  frame.set(key, at)
  for (let i = 0; i < length; i++) frame[at + 4 + i] = (payload[i] as number) ^ (key[i & 3] as number)
  return frame
}

/** Opens one bare client to ws://127.0.0.1:PORT/ and hands back the load generator's interface. */
export async function openRawEchoClient(port: number): Promise<EchoClient> {
  const { socket, rest } = await openRawClient(port)
  const key = randomBytes(4)
  const frames = new Map<Message, Buffer>()
  const frameFor = (message: Message): Buffer => {
    let frame = frames.get(message)
    if (frame === undefined) {
      frame =
        typeof message === 'string'
          ? maskedFrame(TEXT, Buffer.from(message), key)
          : maskedFrame(BINARY, message, key)
      frames.set(message, frame)
    }
    return frame
  }
  let closing = false
  let failure: Error | null = null
  const fail = (message: string): void => {
    if (failure !== null) return
    failure = new Error(`raw echo client: ${message}`)
    socket.destroy()
    if (client.onError !== undefined) client.onError(failure)
  }
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))

  // What is left of a frame that the last chunk cut short.
  let held: Buffer | null = null
  const onData = (chunk: Buffer): void => {
    const data = held === null ? chunk : Buffer.concat([held, chunk])
    held = null
    let at = 0
    while (failure === null) {
      if (data.length - at < 2) break
      const first = data[at] as number
      const second = data[at + 1] as number
      let length = second & 0x7f
      let header = 2
      if (length === 126) {
        if (data.length - at < 4) break
        length = data.readUInt16BE(at + 2)
        header = 4
      } else if (length === 127) {
        if (data.length - at < 10) break
        const big = data.readBigUInt64BE(at + 2)
        if (big > BigInt(64 << 20)) {
          fail(`a frame of ${big} bytes`)
          return
        }
        length = Number(big)
        header = 10
      }
      if (data.length - at < header + length) break
      if ((second & 0x80) !== 0) {
        fail('the server sent a masked frame')
        return
      }
      if ((first & 0x70) !== 0) {
        fail('the server set an RSV bit')
        return
      }
      const opcode = first & 0x0f
      const payload = data.subarray(at + header, at + header + length)
      at += header + length
      if ((first & 0x80) === 0 || opcode === 0) {
        fail('the server sent a fragmented message')
        return
      }
      if (opcode === BINARY) client.listener(payload)
      else if (opcode === TEXT) client.listener(payload.toString('utf8'))
      else if (opcode === CLOSE) {
        if (!closing) {
          fail(`the server closed the connection (${length >= 2 ? payload.readUInt16BE(0) : 1005})`)
          return
        }
        socket.end()
      } else if (opcode === PING) socket.write(maskedFrame(PONG, payload, key))
      else if (opcode !== PONG) {
        fail(`a frame with opcode ${opcode}`)
        return
      }
    }
    if (at < data.length) held = Buffer.from(data.subarray(at))
  }
  socket.on('data', onData)
  if (rest.length > 0) process.nextTick(() => onData(rest))
  socket.on('error', (error) => fail(error.message))
  socket.once('end', () => {
    if (!closing) fail('the server ended the connection')
  })

  const client: EchoClient = {
    send: (message) => {
      socket.write(frameFor(message))
    },
    listener: () => {},
    wireBytes: () => ({ read: socket.bytesRead, written: socket.bytesWritten }),
    close: async () => {
      if (closing) return closed
      closing = true
      if (!socket.destroyed) socket.write(maskedFrame(CLOSE, Buffer.from([0x03, 0xe8]), key))
      const timer = setTimeout(() => socket.destroy(), 5000)
      await closed
      clearTimeout(timer)
    },
  }
  return client
}
