/**
 * Fan-out: a PreparedMessage gives, on every connection, exactly the bytes sendText/sendBinary
 * give, while plain server connections share one frame and permessage-deflate connections
 * without context takeover (same settings) share one compressed frame.
 */
import { constants, inflateRawSync } from 'node:zlib'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  ClientHandshake,
  PerMessageDeflate,
  type PerMessageDeflateOptions,
  PreparedMessage,
  ServerHandshake,
  type WebSocketConnection,
} from '../src/index.ts'

/** A server-side connection (and its client) after a real handshake with the given deflate options. */
function serverConnection(
  clientDeflate?: PerMessageDeflateOptions,
  serverDeflate?: PerMessageDeflateOptions,
): { server: WebSocketConnection; client: WebSocketConnection } {
  const client = new ClientHandshake({
    url: 'ws://fan.out/',
    extensions: clientDeflate ? [new PerMessageDeflate(clientDeflate)] : [],
  })
  const handshake = new ServerHandshake({
    extensions: serverDeflate ? [new PerMessageDeflate(serverDeflate)] : [],
  })
  handshake.receive(client.request)
  const { response, connection } = handshake.accept()
  const opened = client.receive(response)
  if (opened.kind !== 'open') throw new Error('handshake failed')
  return { server: connection, client: opened.connection }
}

const join = (chunks: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/** The events the client gets from the server's bytes. */
function deliver(server: WebSocketConnection, client: WebSocketConnection): unknown[] {
  for (const chunk of server.takeOutgoing()) client.receive(chunk)
  return client
    .takeEvents()
    .map((event) =>
      event.type === 'text' ? event.data : event.type === 'binary' ? [...event.data] : event.type,
    )
}

test('plain server connections: one frame for all, byte-identical to sendText', () => {
  const text = `fan-out ${'x'.repeat(2000)} é`
  const message = new PreparedMessage(text)
  const reference = serverConnection()
  reference.server.sendText(text)
  const expected = join(reference.server.takeOutgoing())
  const frames: Uint8Array[] = []
  for (let i = 0; i < 5; i++) {
    const { server, client } = serverConnection()
    server.sendPrepared(message)
    const bytes = server.takeOutgoing()
    frames.push(...bytes)
    assert.equal(join(bytes), expected)
    server.sendPrepared(message)
    assert.equal(deliver(server, client), [text])
  }
  assert.is(message.encodings, 1)
  assert.ok(
    frames.every((frame, i) => i < 1 || frames.includes(frame)),
    'the same frame objects',
  )
})

test('permessage-deflate without context takeover: one compressed frame per settings, inflatable by zlib', () => {
  const json = JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ id: i, name: `item ${i}` })))
  const message = new PreparedMessage(json)
  const noTakeover = { serverNoContextTakeover: true, threshold: 0 }
  const results: Uint8Array[] = []
  for (let i = 0; i < 3; i++) {
    const { server, client } = serverConnection({ threshold: 0 }, noTakeover)
    assert.match(
      server.extensions[0]?.params.map((p) => p.name).join(',') ?? '',
      'server_no_context_takeover',
    )
    server.sendPrepared(message)
    const bytes = join(server.takeOutgoing())
    results.push(bytes)
    assert.is(bytes[0], 0x81 | 0x40, 'FIN, RSV1, text')
    // Independent truth: zlib inflates the payload (+ 00 00 ff ff) back to the JSON.
    const payloadStart = bytes[1] === 126 ? 4 : 2
    const inflated = inflateRawSync(
      Buffer.concat([bytes.subarray(payloadStart), Buffer.from([0, 0, 0xff, 0xff])]),
      {
        finishFlush: constants.Z_SYNC_FLUSH,
      },
    )
    assert.is(inflated.toString(), json)
    // The connection's own next message is unaffected.
    server.sendText('after')
    client.receive(bytes)
    assert.equal(
      client.takeEvents().map((e) => (e.type === 'text' ? e.data : e.type)),
      [json],
    )
    assert.equal(deliver(server, client), ['after'])
  }
  assert.equal(results[1], results[0])
  assert.is(message.encodings, 1)
  // Another window size is another encoding.
  const other = serverConnection({ threshold: 0, serverMaxWindowBits: 10 }, noTakeover)
  other.server.sendPrepared(message)
  assert.equal(deliver(other.server, other.client), [json])
  assert.is(message.encodings, 2)
})

test('context takeover, clients, fragmentation: encoded per connection, same events as sendText', () => {
  const message = new PreparedMessage(new Uint8Array([1, 2, 3, 250]))
  const takeover = serverConnection({ threshold: 0 }, { threshold: 0 })
  takeover.server.sendPrepared(message)
  takeover.server.sendPrepared(message)
  assert.equal(deliver(takeover.server, takeover.client), [
    [1, 2, 3, 250],
    [1, 2, 3, 250],
  ])
  const { server, client } = serverConnection()
  // A client masks each frame with a fresh key: never shared.
  client.sendPrepared(message)
  for (const chunk of client.takeOutgoing()) server.receive(chunk)
  assert.equal(
    server.takeEvents().map((e) => (e.type === 'binary' ? [...e.data] : e.type)),
    [[1, 2, 3, 250]],
  )
  assert.is(message.encodings, 0)
  assert.throws(() => server.sendPrepared('text' as never), TypeError)
  assert.throws(() => new PreparedMessage(42 as never), TypeError)
  server.close(1000)
  assert.throws(() => server.sendPrepared(message), /cannot send/)
})

test.run()
