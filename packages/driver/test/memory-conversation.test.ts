/**
 * Whole conversations between our client (connectWith) and our server (Acceptor) over the
 * in-memory transport pair: no sockets, deterministic, with faults. No Node APIs here: this file
 * runs unchanged in Deno, Bun and browsers.
 */
import type { UpgradeRequest, WebSocketEvent } from '@ws/proto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  Acceptor,
  type Connection,
  type ConnectOptions,
  connectWith,
  createMemoryPair,
  type MemoryPairOptions,
  type MemoryTransport,
  type ServerOptions,
} from '../src/index.ts'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => globalThis.setTimeout(resolve, ms))

function deadline<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  let timer: unknown
  const timeout = new Promise<never>((_, reject) => {
    timer = globalThis.setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => globalThis.clearTimeout(timer as number))
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const stop = Date.now() + ms
  while (!check()) {
    if (Date.now() > stop) throw new Error(`timed out waiting for ${what}`)
    await sleep(1)
  }
}

interface Conversation {
  client: Connection
  server: Connection
  request: UpgradeRequest
  clientEnd: MemoryTransport
  serverEnd: MemoryTransport
}

/** A client and a server connected over a memory pair, the handshake done. */
async function converse(
  pairOptions: MemoryPairOptions = {},
  clientOptions: ConnectOptions = {},
  serverOptions: ServerOptions = {},
  onServer?: (connection: Connection) => void,
): Promise<Conversation> {
  const { client: clientEnd, server: serverEnd } = createMemoryPair(pairOptions)
  const acceptor = new Acceptor(serverOptions)
  let request: UpgradeRequest | undefined
  const accepted = acceptor.accept(serverEnd, (connection, req) => {
    request = req
    onServer?.(connection)
  })
  const client = await deadline(
    connectWith('ws://memory.test/chat?room=1', clientOptions, async () => clientEnd),
  )
  const server = await deadline(accepted)
  if (server === null || request === undefined) throw new Error('the server refused the handshake')
  return { client, server, request, clientEnd, serverEnd }
}

const handshake = suite('memory conversation: handshake and echo')

handshake('handshake with custom headers and permessage-deflate, echo, clean close', async () => {
  const { client, server, request } = await converse(
    {},
    { headers: { 'x-custom': 'seen' }, protocols: ['chat'] },
    { handleProtocols: (offered) => offered[0] },
    (connection) =>
      connection.on('event', (event) => {
        if (event.type === 'text') connection.sendText(event.data)
        if (event.type === 'binary') connection.sendBinary(event.data)
      }),
  )
  assert.is(request.headers.get('x-custom'), 'seen')
  assert.is(request.resource, '/chat?room=1')
  assert.is(client.protocol, 'chat')
  assert.match(client.extensions, /^permessage-deflate/)
  assert.is(server.extensions, client.extensions)
  const got: unknown[] = []
  client.on('text', (event) => got.push(event.data))
  client.on('binary', (event) => got.push(event.data))
  const binary = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff)
  client.sendText('hello')
  client.sendBinary(binary)
  await until(() => got.length === 2, 'two echoes')
  assert.equal(got, ['hello', binary])
  client.close(1000, 'bye')
  const [atClient, atServer] = await deadline(Promise.all([client.closed, server.closed]))
  assert.equal([atClient.code, atClient.wasClean], [1000, true])
  assert.equal([atServer.code, atServer.reason, atServer.wasClean], [1000, 'bye', true])
})

handshake.run()

const chunking = suite('memory conversation: the chunking does not change the events')

const BIG = 'the quick brown fox jumps over the lazy dog; '.repeat(3000) // 135 KB, compresses well
const BINARY = Uint8Array.from({ length: 5000 }, (_, i) => (i * 131 + (i >> 7)) & 0xff)

/** What each side saw, as plain values. */
function summary(events: WebSocketEvent[]): unknown[] {
  return events.map((event) => {
    switch (event.type) {
      case 'text':
        return ['text', event.data.length, event.data.slice(0, 20)]
      case 'binary':
        return ['binary', Array.from(event.data)]
      case 'ping':
      case 'pong':
        return [event.type, Array.from(event.data)]
      case 'close':
        return ['close', event.code, event.reason]
      case 'closed':
        return ['closed', event.code, event.reason, event.wasClean]
      default:
        return [event.type]
    }
  })
}

/** One scripted conversation; returns what the client and the server saw. */
async function script(pairOptions: MemoryPairOptions): Promise<{ client: unknown[]; server: unknown[] }> {
  const serverEvents: WebSocketEvent[] = []
  const { client, server } = await converse(pairOptions, { fragmentSize: 1000 }, {}, (connection) =>
    connection.on('event', (event) => {
      serverEvents.push(event)
      if (event.type === 'text') connection.sendText(event.data)
      if (event.type === 'binary') connection.sendBinary(event.data)
    }),
  )
  const clientEvents: WebSocketEvent[] = []
  client.on('event', (event) => clientEvents.push(event))
  client.sendText('hello')
  client.ping('p1')
  client.sendText(BIG)
  client.sendBinary(BINARY)
  client.sendText('')
  client.sendText('h\u00e9llo \u{1F600}')
  await until(
    () => clientEvents.filter((e) => e.type === 'text' || e.type === 'binary').length === 5,
    'the echoes',
  )
  client.close(4000, 'done')
  await deadline(Promise.all([client.closed, server.closed]))
  // The server answers a ping as soon as it parses it, before its application has echoed the
  // messages that came with it: where the pong falls among the echoes depends on how the bytes
  // were cut, so it is compared apart.
  const pongs = clientEvents.filter((event) => event.type === 'pong')
  const rest = clientEvents.filter((event) => event.type !== 'pong')
  return { client: [...summary(rest), ...summary(pongs)], server: summary(serverEvents) }
}

chunking('whole, 1-byte, seeded random and delayed chunks give identical events on both sides', async () => {
  const whole = await script({})
  // Independent truth: what was sent, and the close handshake of RFC 6455 section 7.
  assert.equal(whole.server, [
    ['text', 5, 'hello'],
    ['ping', [0x70, 0x31]],
    ['text', BIG.length, BIG.slice(0, 20)],
    ['binary', Array.from(BINARY)],
    ['text', 0, ''],
    ['text', 8, 'h\u00e9llo \u{1F600}'],
    ['close', 4000, 'done'],
    ['closed', 4000, 'done', true],
  ])
  assert.equal(whole.client, [
    ['text', 5, 'hello'],
    ['text', BIG.length, BIG.slice(0, 20)],
    ['binary', Array.from(BINARY)],
    ['text', 0, ''],
    ['text', 8, 'h\u00e9llo \u{1F600}'],
    ['close', 4000, ''],
    ['closed', 4000, '', true],
    ['pong', [0x70, 0x31]],
  ])
  const variants: MemoryPairOptions[] = [
    { chunkSize: 1 },
    { chunkSize: 13, seed: 7 },
    { chunkSize: 1000, seed: 99, delay: 0 },
    { client: { chunkSize: 1 }, server: { chunkSize: 2, delay: 1 } },
  ]
  for (const variant of variants) {
    const run = await script(variant)
    assert.equal(run, whole, JSON.stringify(variant))
  }
})

chunking.run()

const stalls = suite('memory conversation: backpressure')

stalls(
  'a peer that stops reading: send() turns false, drained() waits, then everything arrives',
  async () => {
    const texts: string[] = []
    const { client, serverEnd } = await converse(
      { highWaterMark: 16 * 1024 },
      { highWaterMark: 64 * 1024, perMessageDeflate: false },
      {},
      (connection) => connection.on('text', (event) => texts.push(event.data)),
    )
    serverEnd.stopReading()
    const message = 'x'.repeat(1024)
    let sent = 0
    while (client.sendText(`${sent} ${message}`)) sent++
    sent++
    assert.ok(client.bufferedAmount >= 64 * 1024, `${client.bufferedAmount} buffered`)
    assert.ok(client.transport.needsDrain)
    let drained = false
    const waiting = client.drained().then(() => {
      drained = true
    })
    await sleep(20)
    assert.is(drained, false, 'drained() waits for the stalled peer')
    assert.is(texts.length, 0)
    serverEnd.startReading()
    await deadline(waiting)
    await until(() => texts.length === sent, 'every message')
    assert.is(client.bufferedAmount, 0)
    assert.equal(
      texts.map((t) => Number(t.split(' ')[0])),
      Array.from({ length: sent }, (_, i) => i),
    )
  },
)

stalls('an application that takes no events pauses its transport, which backs up the sender', async () => {
  let server: Connection | undefined
  const { client, serverEnd } = await converse(
    { chunkSize: 64 },
    { perMessageDeflate: false },
    { readHighWaterMark: 8 },
    (connection) => {
      server = connection
    },
  )
  for (let i = 0; i < 200; i++) client.sendText(`message ${i}`)
  await sleep(20)
  assert.ok(serverEnd.paused, 'the server paused its transport')
  assert.ok(client.bufferedAmount > 0, 'the rest waits on the client’s side')
  const stuck = client.bufferedAmount
  await sleep(20)
  assert.is(client.bufferedAmount, stuck)
  const texts: string[] = []
  for await (const event of server as Connection) {
    if (event.type === 'text') texts.push(event.data)
    if (texts.length === 200) break
  }
  assert.equal(
    texts,
    Array.from({ length: 200 }, (_, i) => `message ${i}`),
  )
  assert.is(client.bufferedAmount, 0)
  assert.is(serverEnd.paused, false)
})

stalls.run()

const faults = suite('memory conversation: abrupt end and reset')

faults('an abrupt end (EOF with no close frame) is 1006 on both sides', async () => {
  const { client, server, serverEnd } = await converse()
  client.sendText('before')
  serverEnd.end() // the server's transport ends under it, with no close frame
  const [atClient, atServer] = await deadline(Promise.all([client.closed, server.closed]))
  assert.equal([atClient.code, atClient.wasClean], [1006, false])
  assert.equal([atServer.code, atServer.wasClean], [1006, false])
})

faults('a reset is 1006 on both sides', async () => {
  const { client, server, clientEnd, serverEnd } = await converse({ delay: 1 })
  clientEnd.reset()
  const [atClient, atServer] = await deadline(Promise.all([client.closed, server.closed]))
  assert.equal([atClient.code, atClient.wasClean], [1006, false])
  assert.equal([atServer.code, atServer.wasClean], [1006, false])
  assert.is(atServer.error, undefined, 'a transport error is not a protocol error')
  assert.ok(serverEnd.destroyed)
  assert.is(server.state, 'closed')
})

faults('a client that resets during the handshake gets a ConnectError', async () => {
  const { client: clientEnd, server: serverEnd } = createMemoryPair()
  serverEnd.attach({ data: () => clientEnd.reset(), end() {}, closed() {}, drain() {} })
  let failure: unknown
  try {
    await connectWith('ws://memory.test/', {}, async () => clientEnd)
  } catch (error) {
    failure = error
  }
  assert.instance(failure, Error)
  assert.is((failure as { code?: string }).code, 'WS_ERR_CONNECTION_CLOSED')
})

faults.run()
