import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { WebSocketConnection } from '../src/index.ts'
import {
  CLIENT,
  closedEvent,
  concat,
  frame,
  fromHex,
  hex,
  MASK,
  parseFrames,
  plain,
  runAllChunkings,
  SERVER,
  seededFill,
  utf8,
} from './wire.ts'

const LENGTHS = [0, 1, 125, 126, 127, 65535, 65536, 300000]
const pattern = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff)

// RFC 6455 section 5.7 examples, byte for byte.
const rfc = suite('5.7 RFC examples')

rfc('single-frame unmasked text "Hello" is received by a client', () => {
  const { events } = runAllChunkings(CLIENT, fromHex('81 05 48 65 6c 6c 6f'))
  assert.equal(events, [{ type: 'text', data: 'Hello' }])
})

rfc('single-frame masked text "Hello" is received by a server', () => {
  const { events } = runAllChunkings(SERVER, fromHex('81 85 37 fa 21 3d 7f 9f 4d 51 58'))
  assert.equal(events, [{ type: 'text', data: 'Hello' }])
})

rfc('fragmented unmasked text "Hel" + "lo" is reassembled', () => {
  const { events } = runAllChunkings(CLIENT, fromHex('01 03 48 65 6c 80 02 6c 6f'))
  assert.equal(events, [{ type: 'text', data: 'Hello' }])
})

rfc('unmasked ping "Hello" is reported and answered with a pong of the same payload', () => {
  const { events, output } = runAllChunkings(CLIENT, fromHex('89 05 48 65 6c 6c 6f'))
  assert.equal(plain(events), [{ type: 'ping', data: hex(utf8('Hello')) }])
  const [pong] = parseFrames(output)
  assert.equal(
    { ...pong, payload: hex(pong.payload) },
    {
      fin: true,
      rsv: 0,
      opcode: 0xa,
      masked: true,
      payload: hex(utf8('Hello')),
    },
  )
})

rfc('masked pong "Hello" is reported to the server', () => {
  const { events, output } = runAllChunkings(SERVER, fromHex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'))
  assert.equal(plain(events), [{ type: 'pong', data: hex(utf8('Hello')) }])
  assert.is(output.length, 0)
})

rfc('256-byte and 64 KiB unmasked binary use the 16-bit and 64-bit lengths', () => {
  const small = pattern(256)
  const { events } = runAllChunkings(CLIENT, concat(fromHex('82 7e 01 00'), small))
  assert.equal(plain(events), [{ type: 'binary', data: hex(small) }])
  const large = pattern(65536)
  const second = runAllChunkings(CLIENT, concat(fromHex('82 7f 00 00 00 00 00 01 00 00'), large))
  assert.equal(plain(second.events), [{ type: 'binary', data: hex(large) }])
})

rfc('the encoder produces the RFC bytes', () => {
  const server = new WebSocketConnection(SERVER)
  server.sendText('Hello')
  server.sendText('Hel', false)
  server.sendText('lo')
  server.ping('Hello')
  server.sendBinary(pattern(256))
  assert.is(
    hex(concat(...server.takeOutgoing())),
    `8105${hex(utf8('Hello'))}0103${hex(utf8('Hel'))}8002${hex(utf8('lo'))}8905${hex(utf8('Hello'))}827e0100${hex(pattern(256))}`,
  )
  // A client with the RFC's masking key produces the RFC's masked frames.
  const fixed = new WebSocketConnection({
    role: 'client',
    randomFill: (out) => {
      for (let i = 0; i < out.length; i++) out[i] = MASK[i % 4]
    },
  })
  fixed.pong('Hello')
  fixed.sendText('Hello')
  assert.is(hex(concat(...fixed.takeOutgoing())), '8a8537fa213d7f9f4d51588185' + '37fa213d7f9f4d5158')
})

rfc('header bytes for every length class, written out by hand', () => {
  // FIN+binary, then the 7-bit length or 126/127 with the 16/64-bit length in network order.
  const expected: [number, string][] = [
    [0, '8200'],
    [1, '8201'],
    [125, '827d'],
    [126, '827e007e'],
    [127, '827e007f'],
    [65535, '827effff'],
    [65536, '827f0000000000010000'],
    [300000, '827f00000000000493e0'],
  ]
  for (const [length, header] of expected) {
    const server = new WebSocketConnection(SERVER)
    server.sendBinary(new Uint8Array(length))
    const wire = concat(...server.takeOutgoing())
    assert.is(hex(wire.subarray(0, header.length / 2)), header, `length ${length}`)
    assert.is(wire.length, header.length / 2 + length)
    // The same header with the mask bit and a key, parsed by the server.
    const masked = fromHex(
      `${header.slice(0, 2)}${(Number.parseInt(header.slice(2, 4), 16) | 0x80).toString(16)}${header.slice(4)}01020304`,
    )
    const connection = new WebSocketConnection(SERVER)
    connection.receive(concat(masked, new Uint8Array(length)))
    const [event] = connection.takeEvents()
    assert.is((event as { data: Uint8Array }).data.length, length)
  }
})

const opcodes = suite('5.2 every opcode at every length class')

for (const [opcode, name] of [
  [0x1, 'text'],
  [0x2, 'binary'],
] as const) {
  for (const length of LENGTHS) {
    opcodes(`${name} of ${length} bytes: masked to a server, unmasked to a client`, () => {
      const payload =
        name === 'text' ? utf8('é'.repeat(length >> 1) + 'a'.repeat(length & 1)) : pattern(length)
      const expected = name === 'text' ? 'é'.repeat(length >> 1) + 'a'.repeat(length & 1) : hex(payload)
      const toServer = frame({ opcode, payload, mask: [1, 2, 3, 4] })
      const toClient = frame({ opcode, payload })
      assert.is(toServer.length, payload.length + (length < 126 ? 6 : length < 65536 ? 8 : 14))
      const check = (events: ReturnType<typeof runAllChunkings>['events']): void => {
        const [event] = plain(events) as { type: string; data: string }[]
        assert.is(event.type, name)
        assert.is(event.data, expected)
      }
      const many = length > 70000
      check((many ? run1(SERVER, toServer) : runAllChunkings(SERVER, toServer)).events)
      check((many ? run1(CLIENT, toClient) : runAllChunkings(CLIENT, toClient)).events)
      // The encoder: what our server sends is what the independent builder builds.
      const server = new WebSocketConnection(SERVER)
      if (name === 'text') server.sendText(expected)
      else server.sendBinary(payload)
      assert.is(hex(concat(...server.takeOutgoing())), hex(toClient))
      // And our client's masked frame unmasks to the payload, with minimal length encoding.
      const client = new WebSocketConnection({ role: 'client', randomFill: seededFill(length) })
      if (name === 'text') client.sendText(expected)
      else client.sendBinary(payload)
      const sent = concat(...client.takeOutgoing())
      const [parsed] = parseFrames(sent)
      assert.is(parsed.masked, true)
      assert.is(hex(parsed.payload), hex(payload))
      assert.is(sent.length, toServer.length)
    })
  }
}

for (const [opcode, name] of [
  [0x9, 'ping'],
  [0xa, 'pong'],
] as const) {
  for (const length of [0, 1, 125]) {
    opcodes(`${name} of ${length} bytes in both roles`, () => {
      const payload = pattern(length)
      for (const [options, mask] of [
        [SERVER, [9, 8, 7, 6]],
        [CLIENT, undefined],
      ] as const) {
        const { events } = runAllChunkings(options, frame({ opcode, payload, ...(mask ? { mask } : {}) }))
        assert.equal(plain(events), [{ type: name, data: hex(payload) }])
      }
      const server = new WebSocketConnection(SERVER)
      server[name](payload)
      assert.is(hex(concat(...server.takeOutgoing())), hex(frame({ opcode, payload })))
    })
  }
}

opcodes('close with code and reason in both roles, and the encoder matches', () => {
  const payload = concat(fromHex('03e8'), utf8('bye'))
  const client = runAllChunkings(CLIENT, frame({ opcode: 8, payload }))
  assert.equal(client.events.slice(0, 1), [{ type: 'close', code: 1000, reason: 'bye' }])
  const server = new WebSocketConnection(SERVER)
  server.close(1000, 'bye')
  assert.is(hex(concat(...server.takeOutgoing())), hex(frame({ opcode: 8, payload })))
})

opcodes('a large frame is received whole after arriving in many pieces', () => {
  const payload = pattern(1 << 20)
  const stream = frame({ opcode: 2, payload, mask: [0xde, 0xad, 0xbe, 0xef] })
  const server = new WebSocketConnection(SERVER)
  for (let offset = 0; offset < stream.length; offset += 1000)
    server.receive(stream.slice(offset, offset + 1000))
  const events = server.takeEvents()
  assert.is(events.length, 1)
  assert.is(hex((events[0] as { data: Uint8Array }).data), hex(payload))
})

function run1(options: typeof SERVER, stream: Uint8Array) {
  const connection = new WebSocketConnection(options)
  connection.receive(stream.slice())
  return { events: connection.takeEvents() }
}

const headerErrors = suite('5.2 header errors fail with 1002')

const failures: [string, Uint8Array, typeof SERVER, string][] = [
  ['reserved data opcodes 3-7', frame({ opcode: 3, mask: [...MASK] }), SERVER, 'WS_ERR_INVALID_OPCODE'],
  ['reserved control opcodes 11-15', frame({ opcode: 0xb }), CLIENT, 'WS_ERR_INVALID_OPCODE'],
  ['RSV1 without an extension', frame({ opcode: 1, rsv: 4, payload: 'x' }), CLIENT, 'WS_ERR_UNEXPECTED_RSV'],
  ['RSV2 on a control frame', frame({ opcode: 9, rsv: 2 }), CLIENT, 'WS_ERR_UNEXPECTED_RSV'],
  ['an unmasked client frame', frame({ opcode: 1, payload: 'hi' }), SERVER, 'WS_ERR_UNMASKED_FRAME'],
  [
    'a masked server frame',
    frame({ opcode: 1, payload: 'hi', mask: [...MASK] }),
    CLIENT,
    'WS_ERR_MASKED_FRAME',
  ],
  [
    'a 16-bit length under 126',
    frame({ opcode: 2, payload: pattern(125), lengthForm: 16 }),
    CLIENT,
    'WS_ERR_NON_MINIMAL_LENGTH',
  ],
  [
    'a 64-bit length under 65536',
    frame({ opcode: 2, payload: pattern(200), lengthForm: 64 }),
    CLIENT,
    'WS_ERR_NON_MINIMAL_LENGTH',
  ],
  [
    'a 64-bit length with the top bit set',
    fromHex('82 7f 80 00 00 00 00 00 00 05 01 02 03 04 05'),
    CLIENT,
    'WS_ERR_INVALID_LENGTH',
  ],
  ['a ping of 126 bytes', frame({ opcode: 9, payload: pattern(126) }), CLIENT, 'WS_ERR_CONTROL_TOO_LONG'],
  ['a fragmented ping', frame({ opcode: 9, fin: false }), CLIENT, 'WS_ERR_FRAGMENTED_CONTROL'],
]
for (let opcode = 3; opcode <= 7; opcode++) {
  failures.push([`data opcode ${opcode}`, frame({ opcode, payload: 'x' }), CLIENT, 'WS_ERR_INVALID_OPCODE'])
}
for (let opcode = 0xb; opcode <= 0xf; opcode++) {
  failures.push([`control opcode ${opcode}`, frame({ opcode }), CLIENT, 'WS_ERR_INVALID_OPCODE'])
}
for (let rsv = 1; rsv <= 7; rsv++) {
  failures.push([
    `RSV=${rsv} on text`,
    frame({ opcode: 1, rsv, payload: 'x' }),
    CLIENT,
    'WS_ERR_UNEXPECTED_RSV',
  ])
}

for (const [name, stream, options, code] of failures) {
  headerErrors(`${name}: 1002 ${code}, a close frame with 1002, nothing more`, () => {
    // A valid message first must still be delivered; a ping after the bad frame must not be answered.
    const before =
      options.role === 'server'
        ? frame({ opcode: 1, payload: 'ok', mask: [...MASK] })
        : frame({ opcode: 1, payload: 'ok' })
    const after = options.role === 'server' ? frame({ opcode: 9, mask: [...MASK] }) : frame({ opcode: 9 })
    const { events, output, connection } = runAllChunkings(options, concat(before, stream, after))
    assert.equal(events[0], { type: 'text', data: 'ok' })
    const closed = closedEvent(events)
    assert.is(events.length, 2)
    assert.is(closed.code, 1002)
    assert.is(closed.wasClean, false)
    assert.is(closed.error?.code, code)
    assert.is(closed.error?.closeCode, 1002)
    const frames = parseFrames(output)
    assert.equal(
      frames.map((f) => [f.opcode, hex(f.payload)]),
      [[8, '03ea']],
    )
    assert.is(connection.state, 'closed')
    assert.is(connection.shouldCloseTransport, true)
  })
}

headerErrors('the top-bit check comes before the size limit, and the limit before any payload', () => {
  const connection = new WebSocketConnection({ role: 'client', limits: { maxFrameSize: 65535 } })
  connection.receive(fromHex('82 7f 00 00 00 00 00 01 00 00'))
  const closed = closedEvent(connection.takeEvents())
  assert.is(closed.code, 1009)
  assert.is(closed.error?.code, 'WS_ERR_FRAME_TOO_BIG')
})

rfc.run()
opcodes.run()
headerErrors.run()
