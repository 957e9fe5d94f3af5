// The bare echo client of the small-message scenario: its frames against RFC 6455's layout and
// ws's own parser, its echoes through real servers (ours and ws's), and every way a server can
// misbehave reported as an error, never ignored.
import { createRequire } from 'node:module'
import { createServer, type Server, type Socket } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { payload } from '../src/building.ts'
import { spawnChild, withChildren } from '../src/child.ts'
import { portOf, SERVER_SCRIPT } from '../src/echo.ts'
import { closeClients, openClient, openClients, pipeline } from '../src/load.ts'
import { acceptFor } from '../src/raw-clients.ts'
import { maskedFrame, openRawEchoClient } from '../src/raw-echo.ts'

const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: {
    isServer: boolean
    maxPayload: number
  }) => {
    on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void
    on(event: 'error', listener: (error: Error) => void): void
    write(chunk: Buffer): void
  }
}

test('maskedFrame: the header of each length form, and ws as a server reads the payload back', () => {
  const key = new Uint8Array([0x37, 0xfa, 0x21, 0x3d])
  // RFC 6455 section 5.7: a single-frame masked text message "Hello".
  assert.equal(
    [...maskedFrame(0x1, new TextEncoder().encode('Hello'), key)],
    [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58],
  )
  for (const [length, headerBytes] of [
    [0, 6],
    [125, 6],
    [126, 8],
    [65535, 8],
    [65536, 14],
  ] as const) {
    const data = payload(length, length + 1)
    const frame = maskedFrame(0x2, data, key)
    assert.is(frame.length, headerBytes + length, `length ${length}`)
    assert.is(frame[0], 0x82)
    const received: Buffer[] = []
    const receiver = new Receiver({ isServer: true, maxPayload: 1 << 20 })
    receiver.on('message', (message, isBinary) => {
      assert.ok(isBinary)
      received.push(message)
    })
    receiver.on('error', (error) => {
      throw error
    })
    receiver.write(frame)
    assert.is(received.length, 1, `length ${length}`)
    assert.ok(Buffer.from(data).equals(received[0] as Buffer), `length ${length}`)
  }
})

test('echoes through our server and ws, byte for byte, text and binary, then a clean close', async () => {
  await withChildren(async (children) => {
    for (const implementation of ['ours', 'ws']) {
      const child = await spawnChild(SERVER_SCRIPT, [implementation, 'plain'])
      children.push(child)
      const clients = await openClients('raw', portOf(child), false, 3)
      // Sizes on both sides of every length form, and text (with a character outside ASCII).
      const messages = [payload(64, 1), payload(0, 2), payload(126, 3), payload(70_000, 4), 'héllo, echo']
      const { completed } = await pipeline(clients, messages, { window: 4, limit: 40, exact: true })
      assert.is(completed, 120, implementation)
      const bytes = (clients[0] as (typeof clients)[number]).wireBytes()
      assert.ok(bytes.read > 0 && bytes.written > bytes.read, JSON.stringify(bytes))
      await closeClients(clients)
    }
  })
})

test('deflate is refused: the bare client offers no extension', async () => {
  let failure: unknown = null
  try {
    await openClient('raw', 1, true)
  } catch (error) {
    failure = error
  }
  assert.match(String(failure), /does not offer permessage-deflate/)
})

/** A server that completes the handshake, then writes `after` in the given pieces. */
/** Fails the test instead of hanging it when what it waits for never comes. */
function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

const sockets: Socket[] = []
async function misbehaving(after: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    sockets.push(socket)
    let head = ''
    socket.on('data', (chunk) => {
      if (head.includes('\r\n\r\n')) return
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      const key = /sec-websocket-key: *(\S+)/i.exec(head)?.[1] ?? ''
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`,
      )
      after(socket)
    })
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0 }
}

test('frames cut into 1-byte pieces right after the head, a ping among them: read whole, the pong masked', async () => {
  const frames = Buffer.concat([
    Buffer.from([0x89, 0x02, 0x68, 0x69]),
    Buffer.from([0x82, 0x7e, 0x01, 0x00]),
    Buffer.from(payload(256, 9)),
  ])
  let pong: (frame: Buffer) => void = () => {}
  const ponged = new Promise<Buffer>((resolve) => {
    pong = resolve
  })
  const { server, port } = await misbehaving((socket) => {
    // Written at once after the 101, so the first bytes may share the client's read with the head.
    let at = 0
    const next = (): void => {
      if (at < frames.length) socket.write(frames.subarray(at, ++at), next)
    }
    next()
    socket.on('data', (chunk) => {
      if (chunk[0] === 0x8a) pong(chunk)
    })
  })
  const client = await openRawEchoClient(port)
  const got = await within(
    new Promise<unknown>((resolve) => {
      client.listener = resolve
    }),
    'message',
  )
  assert.ok(got instanceof Uint8Array && Buffer.from(payload(256, 9)).equals(got))
  const frame = await within(ponged, 'pong')
  // A masked pong carrying the ping's two bytes: mask bit and length 2, a key, "hi" masked.
  assert.is(frame[1], 0x82)
  const key = frame.subarray(2, 6)
  const text = String.fromCharCode(
    (frame[6] as number) ^ (key[0] as number),
    (frame[7] as number) ^ (key[1] as number),
  )
  assert.is(text, 'hi')
  client.onError = () => {}
  server.close()
  for (const socket of sockets) socket.destroy()
})

for (const [what, bytes, expected] of [
  ['a masked frame', [0x82, 0x81, 0, 0, 0, 0, 0x41], /masked frame/],
  ['an RSV bit', [0xc2, 0x01, 0x41], /RSV bit/],
  ['a fragmented message', [0x02, 0x01, 0x41], /fragmented/],
  ['an unknown opcode', [0x83, 0x00], /opcode 3/],
  ['a close before ours', [0x88, 0x02, 0x03, 0xe9], /closed the connection \(1001\)/],
  ['a frame over 64 MiB', [0x82, 0x7f, 0, 0, 0, 0, 0x10, 0, 0, 0], /a frame of 268435456 bytes/],
] as const) {
  test(`a server that sends ${what} is reported`, async () => {
    const { server, port } = await misbehaving((socket) => {
      socket.on('data', () => socket.write(Buffer.from(bytes)))
    })
    const client = await openRawEchoClient(port)
    const failure = await within(
      new Promise<Error>((resolve) => {
        client.onError = resolve
        client.send(payload(8, 1))
      }),
      'error',
    )
    assert.match(failure.message, expected)
    await client.close()
    server.close()
  })
}

test('a server that ends the connection unasked is reported', async () => {
  const { server, port } = await misbehaving((socket) => {
    socket.on('data', () => socket.end())
  })
  const client = await openRawEchoClient(port)
  const failure = await within(
    new Promise<Error>((resolve) => {
      client.onError = resolve
      client.send(payload(8, 1))
    }),
    'error',
  )
  assert.match(failure.message, /ended the connection/)
  await client.close()
  server.close()
})

test.run()
