import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import {
  ClientHandshake,
  ServerHandshake,
  type WebSocketConnection,
  type WebSocketEvent,
} from '../src/index.ts'
import { seededFill } from './wire.ts'

/** A client and a server joined in memory through a real handshake. */
function pair(options: { fragmentSize?: number; seed?: number } = {}) {
  const clientHandshake = new ClientHandshake({
    url: 'ws://localhost/pair',
    protocols: ['p1'],
    randomFill: seededFill(options.seed ?? 1),
    connection: options.fragmentSize ? { fragmentSize: options.fragmentSize } : {},
  })
  const serverHandshake = new ServerHandshake({
    connection: options.fragmentSize ? { fragmentSize: options.fragmentSize } : {},
  })
  const request = serverHandshake.receive(clientHandshake.request.slice())
  assert.is(request.kind, 'request')
  const { response, connection: server } = serverHandshake.accept({ protocol: 'p1' })
  const opened = clientHandshake.receive(response)
  if (opened.kind !== 'open') throw new Error('handshake failed')
  return { client: opened.connection, server }
}

/** Moves every outgoing byte from one side to the other in random pieces; returns the events. */
function pump(from: WebSocketConnection, to: WebSocketConnection, random = new Random(1)): WebSocketEvent[] {
  for (const chunk of from.takeOutgoing()) {
    for (const piece of random.chunks(chunk.slice(), 20000)) to.receive(piece)
  }
  return to.takeEvents()
}

const roundTrip = suite('an in-memory client and server')

roundTrip('text, binary, empty and multi-byte messages both ways', () => {
  const { client, server } = pair()
  assert.is(client.protocol, 'p1')
  client.sendText('hello')
  client.sendBinary(Uint8Array.of(0, 1, 2, 255))
  client.sendText('')
  client.sendText('żółw 🐢')
  assert.equal(pump(client, server), [
    { type: 'text', data: 'hello' },
    { type: 'binary', data: Uint8Array.of(0, 1, 2, 255) },
    { type: 'text', data: '' },
    { type: 'text', data: 'żółw 🐢' },
  ])
  server.sendText('back')
  server.sendBinary(new Uint8Array(0))
  assert.equal(pump(server, client), [
    { type: 'text', data: 'back' },
    { type: 'binary', data: new Uint8Array(0) },
  ])
})

roundTrip('messages over 64 KiB, fragmented on send and in random TCP-like pieces', () => {
  for (const fragmentSize of [undefined, 1000, 65536]) {
    const { client, server } = pair(fragmentSize ? { fragmentSize } : {})
    const random = new Random(fragmentSize ?? 0)
    const big = random.bytes(300000)
    const text = 'κόσμε '.repeat(30000)
    client.sendBinary(big)
    client.sendText(text)
    const events = pump(client, server, random)
    assert.is(events.length, 2)
    assert.equal(events[0], { type: 'binary', data: big })
    assert.equal(events[1], { type: 'text', data: text })
    server.sendBinary(big)
    server.sendText(text, false)
    server.sendText('!')
    const back = pump(server, client, random)
    assert.equal(back[0], { type: 'binary', data: big })
    assert.equal(back[1], { type: 'text', data: `${text}!` })
  }
})

roundTrip('ping and pong, then a clean close initiated by the client', () => {
  const { client, server } = pair()
  client.ping('are you there')
  assert.equal(pump(client, server), [{ type: 'ping', data: new TextEncoder().encode('are you there') }])
  assert.equal(pump(server, client), [{ type: 'pong', data: new TextEncoder().encode('are you there') }])
  client.close(1000, 'bye')
  assert.equal(pump(client, server), [
    { type: 'close', code: 1000, reason: 'bye' },
    { type: 'closed', code: 1000, reason: 'bye', wasClean: true },
  ])
  assert.is(server.shouldCloseTransport, true)
  assert.equal(pump(server, client), [
    { type: 'close', code: 1000, reason: '' },
    { type: 'closed', code: 1000, reason: '', wasClean: true },
  ])
  client.receiveEof()
  assert.is(client.shouldCloseTransport, true)
})

roundTrip('a thousand random messages arrive intact and in order', () => {
  const { client, server } = pair({ seed: 99 })
  const random = new Random(77)
  const sent: WebSocketEvent[] = []
  for (let i = 0; i < 1000; i++) {
    if (random.below(2) === 0) {
      const data = random.bytes(random.below(3000))
      client.sendBinary(data)
      sent.push({ type: 'binary', data })
    } else {
      const data = String.fromCodePoint(
        ...Array.from({ length: random.below(200) }, () => 0x20 + random.below(0x3000)),
      )
      client.sendText(data)
      sent.push({ type: 'text', data })
    }
  }
  assert.equal(pump(client, server, random), sent)
})

roundTrip.run()
