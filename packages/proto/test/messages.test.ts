import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { InvalidStateError, WebSocketConnection } from '../src/index.ts'
import {
  CLIENT,
  closedEvent,
  concat,
  type FrameSpec,
  frame,
  fromHex,
  hex,
  parseFrames,
  plain,
  runAllChunkings,
  SERVER,
  throwsKind,
  utf8,
} from './wire.ts'

/** Frames from a client (masked with a per-frame key). */
const c = (spec: FrameSpec): Uint8Array => frame({ mask: [spec.opcode, 0x5a, 0xa5, 0x33], ...spec })
const stream = (...specs: FrameSpec[]): Uint8Array => concat(...specs.map(c))

const fragments = suite('5.4 fragmentation')

fragments('fragments are reassembled, with pings between them answered first', () => {
  const { events, output } = runAllChunkings(
    SERVER,
    stream(
      { opcode: 1, fin: false, payload: 'frag' },
      { opcode: 9, payload: 'ping 1' },
      { opcode: 0, fin: false, payload: 'ment' },
      { opcode: 10, payload: 'pong' },
      { opcode: 0, fin: false, payload: '' },
      { opcode: 9, payload: 'ping 2' },
      { opcode: 0, payload: 'ed' },
    ),
  )
  assert.equal(plain(events), [
    { type: 'ping', data: hex(utf8('ping 1')) },
    { type: 'pong', data: hex(utf8('pong')) },
    { type: 'ping', data: hex(utf8('ping 2')) },
    { type: 'text', data: 'fragmented' },
  ])
  assert.equal(
    parseFrames(output).map((f) => [f.opcode, new TextDecoder().decode(f.payload)]),
    [
      [10, 'ping 1'],
      [10, 'ping 2'],
    ],
  )
})

fragments('a binary message in 1000 one-byte fragments', () => {
  const specs: FrameSpec[] = []
  for (let i = 0; i < 1000; i++)
    specs.push({ opcode: i === 0 ? 2 : 0, fin: i === 999, payload: Uint8Array.of(i & 0xff) })
  const server = new WebSocketConnection(SERVER)
  server.receive(stream(...specs))
  const [event] = server.takeEvents()
  assert.equal(plain([event]), [
    { type: 'binary', data: hex(Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff)) },
  ])
})

fragments('empty messages and empty fragments', () => {
  const { events } = runAllChunkings(
    SERVER,
    stream(
      { opcode: 1 },
      { opcode: 2 },
      { opcode: 1, fin: false },
      { opcode: 0, fin: false },
      { opcode: 0, payload: 'middle' },
      { opcode: 0 + 1, fin: false },
      { opcode: 0 },
    ),
  )
  assert.equal(plain(events), [
    { type: 'text', data: '' },
    { type: 'binary', data: '' },
    { type: 'text', data: 'middle' },
    { type: 'text', data: '' },
  ])
})

const fragmentErrors: [string, FrameSpec[]][] = [
  ['a continuation with nothing to continue (FIN=1)', [{ opcode: 0, payload: 'x' }]],
  ['a continuation with nothing to continue (FIN=0)', [{ opcode: 0, fin: false, payload: 'x' }]],
  [
    'a new text frame inside a fragmented message',
    [
      { opcode: 1, fin: false, payload: 'a' },
      { opcode: 1, payload: 'b' },
    ],
  ],
  ['a new binary frame inside a fragmented message', [{ opcode: 2, fin: false }, { opcode: 2 }]],
  ['a fragmented ping', [{ opcode: 9, fin: false }, { opcode: 0 }]],
  ['a fragmented pong', [{ opcode: 10, fin: false }, { opcode: 0 }]],
  [
    'RSV1 on a continuation frame',
    [
      { opcode: 1, fin: false },
      { opcode: 0, rsv: 4 },
    ],
  ],
  [
    'a stray continuation after a complete message',
    [
      { opcode: 1, fin: false, payload: 'a' },
      { opcode: 0, payload: 'b' },
      { opcode: 0, fin: false },
    ],
  ],
]
for (const [name, specs] of fragmentErrors) {
  fragments(`${name}: 1002`, () => {
    const { events, output } = runAllChunkings(SERVER, stream(...specs, { opcode: 9, payload: 'after' }))
    const closed = closedEvent(events)
    assert.is(closed.code, 1002)
    assert.ok(events.every((event) => event.type !== 'ping'))
    assert.equal(
      parseFrames(output).map((f) => hex(f.payload)),
      ['03ea'],
    )
  })
}

const text = suite('8.1 UTF-8')

text('a code point split across frame boundaries is valid', () => {
  const bytes = utf8('κόσμε 😀')
  const specs: FrameSpec[] = Array.from(bytes, (byte, i) => ({
    opcode: i === 0 ? 1 : 0,
    fin: i === bytes.length - 1,
    payload: Uint8Array.of(byte),
  }))
  const { events } = runAllChunkings(SERVER, stream(...specs))
  assert.equal(events, [{ type: 'text', data: 'κόσμε 😀' }])
})

text('a leading BOM is part of the text', () => {
  const { events } = runAllChunkings(SERVER, stream({ opcode: 1, payload: fromHex('efbbbf41') }))
  assert.equal(events, [{ type: 'text', data: '\ufeffA' }])
})

text('invalid UTF-8 fails with 1007, fail-fast: before the message ends', () => {
  // 6.4.1: the second fragment holds f4 90 80 80 (beyond U+10FFFF); the third never needs to come.
  const server = new WebSocketConnection(SERVER)
  server.receive(stream({ opcode: 1, fin: false, payload: utf8('κόσμε') }))
  assert.equal(server.takeEvents(), [])
  server.receive(stream({ opcode: 0, fin: false, payload: fromHex('f4908080') }))
  const closed = closedEvent(server.takeEvents())
  assert.is(closed.code, 1007)
  assert.is(closed.error?.code, 'WS_ERR_INVALID_UTF8')
  assert.equal(
    parseFrames(concat(...server.takeOutgoing())).map((f) => hex(f.payload)),
    ['03ef'],
  )
})

text('invalid UTF-8 inside a frame fails as soon as the bad byte arrives (6.4.3)', () => {
  const payload = concat(utf8('κόσμε'), fromHex('f4908080'), utf8('edited'))
  const whole = c({ opcode: 1, payload })
  const server = new WebSocketConnection(SERVER)
  // Header + "κόσμε" + f4: still a valid prefix.
  const cut = whole.length - payload.length + utf8('κόσμε').length + 1
  server.receive(whole.slice(0, cut))
  assert.equal(server.takeEvents(), [])
  server.receive(whole.slice(cut, cut + 1)) // 0x90 after f4 is impossible
  assert.is(closedEvent(server.takeEvents()).code, 1007)
})

text('a message that ends inside a character fails with 1007', () => {
  const { events } = runAllChunkings(SERVER, stream({ opcode: 1, payload: fromHex('cebae1bd') }))
  assert.is(closedEvent(events).code, 1007)
})

text('binary messages are not checked', () => {
  const { events } = runAllChunkings(SERVER, stream({ opcode: 2, payload: fromHex('fffe80') }))
  assert.equal(plain(events), [{ type: 'binary', data: 'fffe80' }])
})

const streaming = suite('receiving fragments as a stream')

streaming('messageFragments delivers each frame, with first and last flags', () => {
  const { events } = runAllChunkings(
    { role: 'server', messageFragments: true },
    stream(
      { opcode: 1, fin: false, payload: 'ab' },
      { opcode: 9 },
      { opcode: 0, fin: false, payload: '' },
      { opcode: 0, payload: 'c' },
      { opcode: 2, payload: Uint8Array.of(1, 2) },
    ),
  )
  assert.equal(plain(events), [
    { type: 'fragment', kind: 'text', data: hex(utf8('ab')), first: true, last: false },
    { type: 'ping', data: '' },
    { type: 'fragment', kind: 'text', data: '', first: false, last: false },
    { type: 'fragment', kind: 'text', data: hex(utf8('c')), first: false, last: true },
    { type: 'fragment', kind: 'binary', data: '0102', first: true, last: true },
  ])
})

streaming('fragment mode still validates UTF-8 and limits', () => {
  const { events } = runAllChunkings(
    { role: 'server', messageFragments: true },
    stream({ opcode: 1, fin: false, payload: 'ab' }, { opcode: 0, payload: fromHex('c0') }),
  )
  assert.is(events[0]?.type, 'fragment')
  assert.is(closedEvent(events).code, 1007)
})

const sending = suite('sending messages')

sending('fragmentSize splits large messages into frames', () => {
  const server = new WebSocketConnection({ role: 'server', fragmentSize: 4 })
  server.sendText('0123456789')
  server.sendBinary(Uint8Array.of(1, 2, 3, 4))
  const frames = parseFrames(concat(...server.takeOutgoing()))
  assert.equal(
    frames.map((f) => [f.fin, f.opcode, hex(f.payload)]),
    [
      [false, 1, hex(utf8('0123'))],
      [false, 0, hex(utf8('4567'))],
      [true, 0, hex(utf8('89'))],
      [true, 2, '01020304'],
    ],
  )
})

sending('a message sent in parts: text then continuations, control frames in between', () => {
  const client = new WebSocketConnection(CLIENT)
  client.sendText('a', false)
  client.ping()
  client.sendText('b', false)
  client.sendText('c')
  client.sendBinary(Uint8Array.of(9), false)
  throwsKind(() => client.sendText('x'), InvalidStateError, /binary message is still open/)
  client.sendBinary(Uint8Array.of(8))
  const frames = parseFrames(concat(...client.takeOutgoing()))
  assert.equal(
    frames.map((f) => [f.fin, f.opcode, f.masked, hex(f.payload)]),
    [
      [false, 1, true, '61'],
      [true, 9, true, ''],
      [false, 0, true, '62'],
      [true, 0, true, '63'],
      [false, 2, true, '09'],
      [true, 0, true, '08'],
    ],
  )
})

sending('a client never reuses a masking key', () => {
  const client = new WebSocketConnection(CLIENT)
  for (let i = 0; i < 5000; i++) client.sendBinary(new Uint8Array(1))
  const keys = new Set<string>()
  for (const chunk of client.takeOutgoing()) keys.add(hex(chunk.subarray(2, 6)))
  // 5000 random 32-bit keys: a repeat has probability ~0.3%; identical keys would mean reuse.
  assert.ok(keys.size >= 4990, `only ${keys.size} distinct keys`)
})

sending('the caller’s bytes are never modified by masking', () => {
  const data = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff)
  const copy = data.slice()
  const client = new WebSocketConnection(CLIENT)
  client.sendBinary(data)
  assert.equal(data, copy)
  assert.is(hex(parseFrames(concat(...client.takeOutgoing()))[0].payload), hex(copy))
})

sending('argument checks', () => {
  const server = new WebSocketConnection(SERVER)
  throwsKind(() => server.sendText(5 as unknown as string), TypeError)
  throwsKind(() => server.sendBinary('x' as unknown as Uint8Array), TypeError)
  throwsKind(() => server.sendBinary(new Uint16Array(2) as unknown as Uint8Array), TypeError)
  throwsKind(() => server.ping(new Uint8Array(126)), RangeError)
  throwsKind(() => server.pong(7 as unknown as Uint8Array), TypeError)
  throwsKind(() => server.receive('x' as unknown as Uint8Array), TypeError)
  throwsKind(() => new WebSocketConnection({ role: 'peer' as 'client' }), TypeError)
  throwsKind(() => new WebSocketConnection({ role: 'client', fragmentSize: 0 }), RangeError)
  throwsKind(() => new WebSocketConnection({ role: 'client', limits: { maxFrameSize: -1 } }), RangeError)
  throwsKind(() => new WebSocketConnection({ role: 'client', limits: { maxFrameSize: 1.5 } }), RangeError)
})

fragments.run()
text.run()
streaming.run()
sending.run()
