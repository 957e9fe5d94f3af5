/**
 * The streams transport over real sockets on 127.0.0.1, made WHATWG by Node's Duplex.toWeb.
 * Node-only (node:net, node:stream); the runtime-neutral tests are in streams-transport.test.ts.
 */
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { type AddressInfo, createServer, connect as netConnect, type Server, type Socket } from 'node:net'
import { Duplex } from 'node:stream'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { streamsTransport } from '../src/streams-transport.ts'
import type { ByteTransport, TransportSink } from '../src/transport.ts'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Fails after `ms` so that a test can never hang. */
function deadline<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

interface Side {
  transport: ByteTransport
  socket: Socket
  /** The server's end of the connection. */
  peer: Socket
  server: Server
  sink: TransportSink & { received: Uint8Array[]; events: string[]; closedWith: unknown[] }
  done(): Promise<void>
}

/** A server socket and a client socket joined over 127.0.0.1; the client is a streams transport. */
async function connected(): Promise<Side> {
  const server = createServer({ allowHalfOpen: true })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const accepted = once(server, 'connection')
  const socket = netConnect({ port, host: '127.0.0.1' })
  await once(socket, 'connect')
  const [peer] = (await accepted) as [Socket]
  const sink = {
    received: [] as Uint8Array[],
    events: [] as string[],
    closedWith: [] as unknown[],
    data(chunk: Uint8Array) {
      this.received.push(chunk)
    },
    end() {
      this.events.push('end')
    },
    closed(...args: unknown[]) {
      this.events.push('closed')
      this.closedWith.push(...args)
    },
    drain() {
      this.events.push('drain')
    },
  }
  const transport = streamsTransport(Duplex.toWeb(socket) as never, { info: { socket } })
  transport.attach(sink)
  return {
    transport,
    socket,
    peer,
    server,
    sink,
    async done() {
      socket.destroy()
      peer.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

const digest = (chunks: Uint8Array[]): string => {
  const hash = createHash('sha256')
  for (const chunk of chunks) hash.update(chunk)
  return hash.digest('hex')
}

function pattern(length: number): Uint8Array {
  const out = new Uint8Array(length)
  for (let i = 0; i < length; i++) out[i] = (i * 131 + (i >> 10)) & 0xff
  return out
}

const node = suite('streams transport over Node sockets (Duplex.toWeb)')

node('4 MiB each way arrive whole and in order', async () => {
  const side = await connected()
  try {
    const data = pattern(4 * 1024 * 1024)
    const atPeer: Uint8Array[] = []
    side.peer.on('data', (chunk: Uint8Array) => atPeer.push(chunk))
    for (let offset = 0; offset < data.length; offset += 100_000)
      side.transport.write(data.subarray(offset, offset + 100_000))
    side.peer.write(data)
    await deadline(
      (async () => {
        while (atPeer.reduce((n, c) => n + c.length, 0) < data.length) await sleep(5)
        while (side.sink.received.reduce((n, c) => n + c.length, 0) < data.length) await sleep(5)
      })(),
    )
    assert.is(digest(atPeer), digest([data]))
    assert.is(digest(side.sink.received), digest([data]))
  } finally {
    await side.done()
  }
})

node(
  'paused, it stops reading the socket: the peer’s writes back up; resumed, everything arrives',
  async () => {
    const side = await connected()
    try {
      side.transport.pause()
      const piece = pattern(64 * 1024)
      let written = 0
      // The peer writes until its socket says stop, again and again, for 300 ms.
      const until = Date.now() + 300
      while (Date.now() < until) {
        if (side.peer.writableLength < 1024 * 1024) {
          side.peer.write(piece)
          written += piece.length
        } else {
          await sleep(10)
        }
      }
      await sleep(50)
      const readWhilePaused = side.socket.bytesRead
      assert.is(side.sink.received.length, 0, 'nothing delivered while paused')
      assert.ok(side.peer.writableLength > 0, 'the peer is backed up')
      await sleep(100)
      assert.is(side.socket.bytesRead, readWhilePaused, 'the socket is not read while paused')
      assert.ok(readWhilePaused < written, `read ${readWhilePaused} of ${written}`)
      side.transport.resume()
      await deadline(
        (async () => {
          while (side.sink.received.reduce((n, c) => n + c.length, 0) < written) await sleep(5)
        })(),
      )
      assert.is(
        side.sink.received.reduce((n, c) => n + c.length, 0),
        written,
      )
    } finally {
      await side.done()
    }
  },
)

node('a peer that does not read: bufferedAmount grows, needsDrain, one drain after it reads', async () => {
  const side = await connected()
  try {
    side.peer.pause()
    const piece = pattern(256 * 1024)
    for (let i = 0; i < 32; i++) side.transport.write(piece) // 8 MiB
    await sleep(200)
    assert.ok(side.transport.needsDrain)
    const stuck = side.transport.bufferedAmount
    assert.ok(stuck > 1024 * 1024, `${stuck} bytes still buffered`)
    assert.equal(side.sink.events, [])
    let got = 0
    side.peer.on('data', (chunk: Uint8Array) => {
      got += chunk.length
    })
    side.peer.resume()
    await deadline(
      (async () => {
        while (!side.sink.events.includes('drain')) await sleep(5)
      })(),
    )
    assert.is(side.transport.bufferedAmount, 0)
    assert.is(side.transport.needsDrain, false)
    assert.equal(side.sink.events, ['drain'])
    await deadline(
      (async () => {
        while (got < 32 * piece.length) await sleep(5)
      })(),
    )
  } finally {
    await side.done()
  }
})

node(
  'our end() is the peer’s FIN; the peer still writes to us; its FIN is end(); then closed()',
  async () => {
    const side = await connected()
    try {
      const atPeer: Uint8Array[] = []
      side.peer.on('data', (chunk: Uint8Array) => atPeer.push(chunk))
      const peerEnded = once(side.peer, 'end')
      side.transport.write(pattern(1000))
      side.transport.end()
      await deadline(peerEnded)
      assert.is(digest(atPeer), digest([pattern(1000)]))
      side.peer.end(pattern(500))
      await deadline(
        (async () => {
          while (!side.sink.events.includes('closed')) await sleep(5)
        })(),
      )
      assert.is(digest(side.sink.received), digest([pattern(500)]))
      assert.equal(side.sink.events, ['end', 'closed'])
      assert.equal(side.sink.closedWith, [])
    } finally {
      await side.done()
    }
  },
)

node('the peer’s FIN is end(); closed() once we end too', async () => {
  // Node's Duplex.toWeb only ends the readable once the whole socket is done: with
  // allowHalfOpen the readable never ends while our side is open (Node 20), so these sockets
  // use the default (Node ends our side when the peer's FIN arrives).
  const side = await connected()
  try {
    side.peer.end()
    await deadline(
      (async () => {
        while (!side.sink.events.includes('end')) await sleep(5)
      })(),
    )
    side.transport.end()
    await deadline(
      (async () => {
        while (!side.sink.events.includes('closed')) await sleep(5)
      })(),
    )
    assert.equal(side.sink.events, ['end', 'closed'])
  } finally {
    await side.done()
  }
})

node('a reset by the peer closes the transport with ECONNRESET', async () => {
  const side = await connected()
  try {
    side.peer.resetAndDestroy()
    await deadline(
      (async () => {
        while (!side.sink.events.includes('closed')) await sleep(5)
      })(),
    )
    const [error] = side.sink.closedWith as [{ code?: string }]
    assert.is(error?.code, 'ECONNRESET')
  } finally {
    await side.done()
  }
})

node('destroy() destroys the socket: the peer sees it end', async () => {
  const side = await connected()
  try {
    side.peer.resume()
    const peerEnded = once(side.peer, 'end')
    side.transport.destroy()
    await deadline(peerEnded)
    await sleep(10)
    assert.ok(side.socket.destroyed)
    assert.equal(side.sink.events, ['closed'])
    assert.equal(side.sink.closedWith, [])
  } finally {
    await side.done()
  }
})

node.run()
