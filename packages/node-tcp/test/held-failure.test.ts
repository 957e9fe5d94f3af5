// A bad frame that arrives in the same read as good messages: the application still gets the
// messages and its replies go out before the close frame with the failure's code, in both
// roles (Autobahn 3.2, 4.1.3, 5.15 and friends send exactly that).
import { once } from 'node:events'
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net'
import { acceptKey } from '@ws/proto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { connect } from '../src/index.ts'
import { deadline, echoServer, rawSocket, UPGRADE_REQUEST } from './helpers.ts'

const encoder = new TextEncoder()

/** A frame built by hand; masked with a fixed key when `mask` is true. */
function frame(opcode: number, payload: string, mask: boolean): Uint8Array {
  const data = encoder.encode(payload)
  const key = [9, 8, 7, 6]
  const out = new Uint8Array(2 + (mask ? 4 : 0) + data.length)
  out[0] = 0x80 | opcode
  out[1] = (mask ? 0x80 : 0) | data.length
  if (mask) out.set(key, 2)
  const at = mask ? 6 : 2
  for (let i = 0; i < data.length; i++)
    out[at + i] = (data[i] as number) ^ (mask ? (key[i & 3] as number) : 0)
  return out
}

/** Reads frames (opcode and payload as text) from a socket after skipping an HTTP head, until it closes. */
async function framesUntilClose(socket: Socket, skipHead: boolean): Promise<[number, string][]> {
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  await deadline(once(socket, 'close'), 5000, 'the peer closing the socket')
  let bytes = Buffer.concat(chunks)
  if (skipHead) bytes = bytes.subarray(bytes.indexOf('\r\n\r\n') + 4)
  const frames: [number, string][] = []
  let at = 0
  while (at + 2 <= bytes.length) {
    const length = (bytes[at + 1] as number) & 0x7f
    const masked = ((bytes[at + 1] as number) & 0x80) !== 0
    const start = at + 2 + (masked ? 4 : 0)
    const payload = Buffer.from(bytes.subarray(start, start + length))
    if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= bytes[at + 2 + (i & 3)] as number
    frames.push([(bytes[at] as number) & 0x0f, payload.toString('latin1')])
    at = start + length
  }
  return frames
}

const held = suite('a failure after good messages in the same read')

held(
  'server: the echo of the good message goes out, then close 1002; the ping after it gets nothing',
  async () => {
    const { server, port } = await echoServer()
    try {
      const socket = await rawSocket(port)
      socket.write(UPGRADE_REQUEST)
      await deadline(once(socket, 'data'), 5000, 'the 101 response')
      // One write: a text message, a frame with reserved opcode 3, a ping.
      socket.write(Buffer.concat([frame(1, 'Hello', true), frame(3, '', true), frame(9, 'ping', true)]))
      const frames = await framesUntilClose(socket, false)
      assert.equal(frames, [
        [1, 'Hello'],
        [8, '\x03\xea'],
      ])
    } finally {
      await server.close()
    }
  },
)

held('client: a message that came with the handshake response is answered before the failure', async () => {
  let received: Promise<[number, string][]> | null = null
  const fake = createNetServer((socket) => {
    socket.on('error', () => {})
    socket.once('data', (chunk: Buffer) => {
      const key = /Sec-WebSocket-Key: (\S+)/i.exec(chunk.toString('latin1'))?.[1] ?? ''
      received = framesUntilClose(socket, false)
      // The response, a text message and an invalid UTF-8 text message, all in one write.
      socket.write(
        Buffer.concat([
          Buffer.from(
            `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`,
          ),
          frame(1, 'first', false),
          Buffer.from([0x81, 0x01, 0xff]),
        ]),
      )
    })
  })
  fake.listen(0, '127.0.0.1')
  await once(fake, 'listening')
  try {
    const client = await connect(`ws://127.0.0.1:${(fake.address() as AddressInfo).port}/`, {
      perMessageDeflate: false,
    })
    // Listeners attached after `await connect()`, as applications do.
    client.on('text', (event) => client.sendText(event.data.toUpperCase()))
    const closed = await deadline(client.closed, 5000, 'the client closing')
    assert.is(closed.code, 1007)
    assert.is(closed.wasClean, false)
    const frames = await deadline(received as unknown as Promise<[number, string][]>, 5000, 'the frames')
    assert.equal(frames, [
      [1, 'FIRST'],
      [8, '\x03\xef'],
    ])
  } finally {
    fake.close()
  }
})

held.run()
