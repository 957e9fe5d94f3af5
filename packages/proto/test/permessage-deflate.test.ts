import { createHash } from 'node:crypto'
import { constants, createDeflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib'
import { Inflater } from '@ws/deflate'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import {
  ClientHandshake,
  type ConnectionOptions,
  type Extension,
  PerMessageDeflate,
  type PerMessageDeflateOptions,
  ServerHandshake,
  WebSocketConnection,
  type WebSocketEvent,
} from '../src/index.ts'
import {
  closedEvent,
  concat,
  frame,
  fromHex,
  hex,
  parseFrames,
  plain,
  seededFill,
  throwsKind,
  utf8,
} from './wire.ts'

const TAIL = Uint8Array.of(0x00, 0x00, 0xff, 0xff)
const MASK = [0x11, 0x22, 0x33, 0x44]
const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0))
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1')
const nodeAccept = (key: string): string =>
  createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')
const KEY = 'dGhlIHNhbXBsZSBub25jZQ=='

/** Some text that compresses, different per seed. */
function sampleText(length: number, seed = 1): string {
  const random = new Random(seed)
  const words = ['socket', 'frame', 'deflate', 'window', 'message', 'close', 'ping', 'mask', 'über', 'żółw']
  let out = ''
  while (out.length < length) out += `${words[random.below(words.length)]} `
  return out.slice(0, length)
}

/** The server's answer (`Sec-WebSocket-Extensions` value or undefined) to a raw request header. */
function serverAnswer(extensionsHeader: string, options?: PerMessageDeflateOptions) {
  const handshake = new ServerHandshake({ extensions: [new PerMessageDeflate(options)] })
  const request = [
    'GET / HTTP/1.1',
    'Host: h',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${KEY}`,
    'Sec-WebSocket-Version: 13',
    `Sec-WebSocket-Extensions: ${extensionsHeader}`,
    '',
    '',
  ].join('\r\n')
  assert.is(handshake.receive(latin1(request)).kind, 'request')
  const { response, connection } = handshake.accept()
  const line = text(response)
    .split('\r\n')
    .find((l) => l.toLowerCase().startsWith('sec-websocket-extensions:'))
  return { header: line?.slice('sec-websocket-extensions: '.length), connection }
}

/** The client's result for a raw server response header value. */
function clientResult(responseHeader: string, options?: PerMessageDeflateOptions) {
  const handshake = new ClientHandshake({
    url: 'ws://h/',
    extensions: [new PerMessageDeflate(options)],
    randomFill: seededFill(3),
  })
  const key = handshake.key
  const response = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${nodeAccept(key)}`,
    `Sec-WebSocket-Extensions: ${responseHeader}`,
    '',
    '',
  ].join('\r\n')
  return { offer: offerOf(handshake.request), result: handshake.receive(latin1(response)) }
}

function offerOf(request: Uint8Array): string | undefined {
  return text(request)
    .split('\r\n')
    .find((l) => l.startsWith('Sec-WebSocket-Extensions: '))
    ?.slice('Sec-WebSocket-Extensions: '.length)
}

/** A client and a server joined through a real handshake, with permessage-deflate on both. */
function pair(
  clientOptions: PerMessageDeflateOptions = {},
  serverOptions: PerMessageDeflateOptions = {},
  connection: Omit<ConnectionOptions, 'role'> = {},
) {
  const clientHandshake = new ClientHandshake({
    url: 'ws://localhost/',
    extensions: [new PerMessageDeflate({ threshold: 0, ...clientOptions })],
    randomFill: seededFill(5),
    connection,
  })
  const serverHandshake = new ServerHandshake({
    extensions: [new PerMessageDeflate({ threshold: 0, ...serverOptions })],
    connection,
  })
  assert.is(serverHandshake.receive(clientHandshake.request.slice()).kind, 'request')
  const { response, connection: server } = serverHandshake.accept()
  const opened = clientHandshake.receive(response)
  if (opened.kind !== 'open') throw new Error(`handshake failed: ${JSON.stringify(opened)}`)
  return { client: opened.connection, server, response: text(response) }
}

/** Moves everything `from` wrote to `to` in random pieces; returns the frames and `to`'s events. */
function pump(from: WebSocketConnection, to: WebSocketConnection, seed = 1) {
  const wire = concat(...from.takeOutgoing())
  const frames = parseFrames(wire.slice())
  for (const piece of new Random(seed).chunks(wire, 3000)) to.receive(piece)
  return { frames, events: to.takeEvents() }
}

/** A server-side codec without a handshake. */
function serverCodec(options: PerMessageDeflateOptions = {}, offer: string[] = []): Extension {
  const accepted = new PerMessageDeflate(options).acceptOffer([offer.map((name) => ({ name, value: null }))])
  if (accepted === null) throw new Error('declined')
  return accepted.extension
}

/** Feeds a stream to fresh server connections whole, byte by byte and in random chunks: same events. */
function receiveEveryWay(makeOptions: () => ConnectionOptions, stream: Uint8Array): WebSocketEvent[] {
  const variants = [[stream], Array.from(stream, (_, i) => stream.subarray(i, i + 1))]
  for (let seed = 1; seed <= 5; seed++) variants.push(new Random(seed).chunks(stream, 1 + seed * 7))
  let reference: unknown[] | undefined
  let first: WebSocketEvent[] = []
  for (const pieces of variants) {
    const connection = new WebSocketConnection(makeOptions())
    const events: WebSocketEvent[] = []
    for (const piece of pieces) {
      connection.receive(piece.slice())
      events.push(...connection.takeEvents())
    }
    if (reference === undefined) {
      reference = plain(events)
      first = events
    } else assert.equal(plain(events), reference)
  }
  return first
}

// ---------------------------------------------------------------------------------------------
const server = suite('RFC 7692 section 7: the server answers offers')

server('our default client offer, and the default answer', () => {
  const { offer } = clientResult('permessage-deflate')
  assert.is(offer, 'permessage-deflate; client_max_window_bits')
  // The server limits the client to 13 bits when the client allows a limit (memory), and
  // compresses with 14 bits itself without naming it.
  assert.is(
    serverAnswer('permessage-deflate; client_max_window_bits').header,
    'permessage-deflate; client_max_window_bits=13',
  )
  assert.is(serverAnswer('permessage-deflate').header, 'permessage-deflate')
})

server('the server compresses with memLevel 4 by default (a client with 8), and the option wins', () => {
  const message = sampleText(60_000, 13) // enough symbols for several 2K-symbol blocks
  const wire = (options: PerMessageDeflateOptions) => {
    const connection = new WebSocketConnection({
      role: 'server',
      extensions: [serverCodec({ threshold: 0, ...options })],
    })
    connection.sendText(message)
    return hex(concat(...connection.takeOutgoing()))
  }
  assert.is(wire({}), wire({ memLevel: 4 }))
  assert.is.not(wire({}), wire({ memLevel: 8 }))
  assert.is(wire({ memLevel: 8 }), wire({ memLevel: 8, serverMaxWindowBits: 14 }))
})

server('the server compresses within 2^14 bytes by default, and within 2^15 when told', () => {
  const block = sampleText(3000, 11)
  // Letters from a generator, which no window helps with, put the repeat 23,000 bytes back.
  let x = 7
  const filler = Array.from({ length: 20000 }, () => {
    x = (x * 1103515245 + 12345) >>> 0
    return String.fromCharCode(97 + ((x >>> 16) % 26))
  }).join('')
  const message = `${block}${filler}${block}`
  const sizes: number[] = []
  for (const options of [{}, { serverMaxWindowBits: 15 }]) {
    const { client: c, server: s } = pair({}, options)
    s.sendText(message)
    const { frames, events } = pump(s, c)
    assert.equal(events, [{ type: 'text', data: message }])
    const payload = concat(frames[0]?.payload as Uint8Array, TAIL)
    sizes.push(payload.length)
    const strict = () => new Inflater({ windowBits: 14 }).push(payload)
    if (sizes.length === 1) assert.is(text(concat(...strict())), text(utf8(message)))
    else assert.throws(strict, /window/)
  }
  assert.ok((sizes[1] as number) < (sizes[0] as number), `15 bits (${sizes[1]}) beats 14 bits (${sizes[0]})`)
})

server('every parameter in the offer, and the server options', () => {
  const cases: [string, PerMessageDeflateOptions, string][] = [
    ['server_no_context_takeover', {}, 'server_no_context_takeover'],
    ['client_no_context_takeover', {}, ''],
    ['client_no_context_takeover', { clientNoContextTakeover: true }, 'client_no_context_takeover'],
    ['', { clientNoContextTakeover: true }, 'client_no_context_takeover'],
    ['', { serverNoContextTakeover: true }, 'server_no_context_takeover'],
    ['server_max_window_bits=10', {}, 'server_max_window_bits=10'],
    ['server_max_window_bits=8', {}, 'server_max_window_bits=8'],
    ['server_max_window_bits=15', {}, 'server_max_window_bits=14'],
    ['server_max_window_bits=15', { serverMaxWindowBits: 15 }, 'server_max_window_bits=15'],
    ['server_max_window_bits=12', { serverMaxWindowBits: 9 }, 'server_max_window_bits=9'],
    ['server_max_window_bits=9', { serverMaxWindowBits: 12 }, 'server_max_window_bits=9'],
    ['', { serverMaxWindowBits: 11 }, 'server_max_window_bits=11'],
    ['client_max_window_bits', {}, 'client_max_window_bits=13'],
    ['client_max_window_bits', { clientMaxWindowBits: 15 }, ''],
    ['client_max_window_bits', { clientMaxWindowBits: 10 }, 'client_max_window_bits=10'],
    ['client_max_window_bits=12', {}, 'client_max_window_bits=12'],
    ['client_max_window_bits=14', {}, 'client_max_window_bits=13'],
    ['client_max_window_bits=14', { clientMaxWindowBits: 15 }, 'client_max_window_bits=14'],
    ['client_max_window_bits=12', { clientMaxWindowBits: 9 }, 'client_max_window_bits=9'],
    ['client_max_window_bits=9', { clientMaxWindowBits: 12 }, 'client_max_window_bits=9'],
    // The client did not say it can be limited: the answer must not limit it (7.1.2.2).
    ['', { clientMaxWindowBits: 9 }, ''],
    ['client_max_window_bits="10"', {}, 'client_max_window_bits=10'],
    // Names are case-insensitive tokens; the header parser lowercases them.
    ['Server_No_Context_Takeover', {}, 'server_no_context_takeover'],
    [
      'server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=8',
      { clientNoContextTakeover: true },
      'server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=8',
    ],
  ]
  for (const [params, options, expected] of cases) {
    const offer = params === '' ? 'permessage-deflate' : `permessage-deflate; ${params}`
    const answer = expected === '' ? 'permessage-deflate' : `permessage-deflate; ${expected}`
    assert.is(serverAnswer(offer, options).header, answer, `${offer} with ${JSON.stringify(options)}`)
  }
})

server('malformed offers are declined (no extension, no failure); the next offer is tried', () => {
  const bad = [
    'foo',
    'server_no_context_takeover; server_no_context_takeover',
    'client_max_window_bits; client_max_window_bits=10',
    'server_no_context_takeover=1',
    'client_no_context_takeover=x',
    'server_max_window_bits',
    'server_max_window_bits=7',
    'server_max_window_bits=16',
    'server_max_window_bits=08',
    'server_max_window_bits=1a',
    'server_max_window_bits=-9',
    'client_max_window_bits=0',
    'client_max_window_bits=100',
    'client_max_window_bits="08"',
  ]
  for (const params of bad) {
    const { header, connection } = serverAnswer(`permessage-deflate; ${params}`)
    assert.is(header, undefined, params)
    assert.equal(connection.extensions, [])
    assert.is(
      serverAnswer(`permessage-deflate; ${params}, permessage-deflate; server_max_window_bits=10`).header,
      'permessage-deflate; server_max_window_bits=10',
      `${params}, then a good offer`,
    )
  }
  // Several good offers: the first wins.
  assert.is(
    serverAnswer(
      'permessage-deflate; server_no_context_takeover; server_max_window_bits=9, permessage-deflate; server_no_context_takeover, permessage-deflate',
    ).header,
    'permessage-deflate; server_no_context_takeover; server_max_window_bits=9',
  )
  // Another extension's offers are not ours.
  assert.is(serverAnswer('x-other; a=1, permessage-deflate').header, 'permessage-deflate')
})

// ---------------------------------------------------------------------------------------------
const client = suite('RFC 7692 section 7: the client checks the response')

client('offers follow the options', () => {
  const offers: [PerMessageDeflateOptions, string][] = [
    [{}, 'permessage-deflate; client_max_window_bits'],
    [{ clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=10'],
    [
      { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 9 },
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits',
    ],
  ]
  for (const [options, expected] of offers)
    assert.is(clientResult('permessage-deflate', options).offer, expected)
})

client('responses that fail the handshake, each with its reason', () => {
  const failures: [string, PerMessageDeflateOptions, RegExp][] = [
    ['foo', {}, /unknown parameter foo/],
    ['server_no_context_takeover; server_no_context_takeover', {}, /more than once/],
    ['client_no_context_takeover=1', {}, /takes no value/],
    ['client_max_window_bits', {}, /needs a value in a response/],
    ['client_max_window_bits=16', {}, /from 8 to 15/],
    ['server_max_window_bits', {}, /from 8 to 15/],
    ['server_max_window_bits=7', {}, /from 8 to 15/],
    ['server_max_window_bits=010', {}, /from 8 to 15/],
    ['client_max_window_bits=11', { clientMaxWindowBits: 10 }, /larger than the offered 10/],
    ['', { serverNoContextTakeover: true }, /server_no_context_takeover was requested/],
    ['', { serverMaxWindowBits: 10 }, /server_max_window_bits=10 was requested, the response has none/],
    ['server_max_window_bits=11', { serverMaxWindowBits: 10 }, /the response has 11/],
  ]
  for (const [params, options, reason] of failures) {
    const header = params === '' ? 'permessage-deflate' : `permessage-deflate; ${params}`
    const { result } = clientResult(header, options)
    assert.is(result.kind, 'failed', header)
    if (result.kind !== 'failed') continue
    assert.is(result.error.code, 'WS_ERR_EXTENSION_REJECTED', header)
    assert.match(result.error.message, reason, header)
  }
  // Twice in one response, or an extension never offered.
  const twice = clientResult('permessage-deflate, permessage-deflate').result
  assert.is(twice.kind === 'failed' && twice.error.code, 'WS_ERR_DUPLICATE_EXTENSION')
})

client('responses the client accepts, and what they configure', () => {
  const accepted: [string, PerMessageDeflateOptions][] = [
    ['', {}],
    ['server_no_context_takeover', {}],
    ['client_no_context_takeover', {}],
    ['server_max_window_bits=8', {}],
    ['server_max_window_bits=9', { serverMaxWindowBits: 10 }],
    ['client_max_window_bits=8', {}],
    ['client_max_window_bits=10', { clientMaxWindowBits: 10 }],
    ['server_no_context_takeover', { serverNoContextTakeover: true }],
  ]
  for (const [params, options] of accepted) {
    const header = params === '' ? 'permessage-deflate' : `permessage-deflate; ${params}`
    const { result } = clientResult(header, options)
    assert.is(result.kind, 'open', header)
    if (result.kind !== 'open') continue
    const [extension] = result.connection.extensions
    assert.is(extension?.name, 'permessage-deflate')
    assert.is(extension?.rsvBits, 0x40)
  }
})

client('the negotiated parameters take effect end to end', () => {
  // client_max_window_bits=8 from the server: the client's frames never reach back over 256 bytes.
  const { client: c, server: s } = pair({}, { clientMaxWindowBits: 8 })
  const message = `${'a'.repeat(200)}${sampleText(300, 2)}${'a'.repeat(200)}${sampleText(300, 2)}`
  c.sendText(message)
  const { frames, events } = pump(c, s)
  assert.equal(events, [{ type: 'text', data: message }])
  const strict = new Inflater({ windowBits: 8 })
  assert.is(text(concat(...strict.push(concat(frames[0]?.payload as Uint8Array, TAIL)))), text(utf8(message)))
  // The same data compressed with a 15-bit window does reach further, so the check can fail.
  const wide = deflateRawSync(utf8(message), { windowBits: 15 })
  assert.throws(() => new Inflater({ windowBits: 8 }).push(wide, true), /window|too far|distance/)
})

// ---------------------------------------------------------------------------------------------
const data = suite('RFC 7692 section 7.2: compressed messages')

data('the RFC 7.2.3 examples, as frames a client receives (and chunking never matters)', () => {
  const examples: [string, string[]][] = [
    ['7.2.3.1 one frame', ['c107f248cdc9c90700']],
    ['7.2.3.1 fragmented', ['4103f248cd', '8004c9c90700']],
    ['7.2.3.2 context takeover', ['c107f248cdc9c90700', 'c105f200110000']],
    ['7.2.3.3 stored block', ['c10b000500faff48656c6c6f00']],
    ['7.2.3.4 BFINAL set', ['c108f348cdc9c9070000']],
    ['7.2.3.5 two blocks', ['c10df248050000 00ffffcac9c90700'.replace(' ', '')]],
    ['7.2.3.6 empty, then Hello', ['c10100', 'c107f248cdc9c90700']],
    ['7.2.3.4 BFINAL, then a new stream', ['c108f348cdc9c9070000', 'c107f248cdc9c90700']],
  ]
  for (const [name, frames] of examples) {
    const stream = concat(...frames.map(fromHex))
    const events = receiveEveryWay(
      () => ({ role: 'client', extensions: [new PerMessageDeflate().acceptResponse([])] }),
      stream,
    )
    const expected = name.startsWith('7.2.3.6')
      ? ['', 'Hello']
      : name.includes('7.2.3.2')
        ? ['Hello', 'Hello']
        : ['Hello']
    if (name.endsWith('new stream')) expected.push('Hello')
    assert.equal(
      events,
      expected.map((data) => ({ type: 'text', data })),
      name,
    )
  }
})

data('sending Hello gives exactly the RFC 7.2.3.1 frame; a second Hello the 7.2.3.2 frame', () => {
  const connection = new WebSocketConnection({ role: 'server', extensions: [serverCodec({ threshold: 0 })] })
  connection.sendText('Hello')
  connection.sendText('Hello')
  assert.is(hex(concat(...connection.takeOutgoing())), 'c107f248cdc9c90700c105f200110000')
  const reset = new WebSocketConnection({
    role: 'server',
    extensions: [serverCodec({ threshold: 0 }, ['server_no_context_takeover'])],
  })
  reset.sendText('Hello')
  reset.sendText('Hello')
  assert.is(hex(concat(...reset.takeOutgoing())), 'c107f248cdc9c90700c107f248cdc9c90700')
  // An empty message is the single byte 00 (7.2.3.6).
  reset.sendText('')
  assert.is(hex(concat(...reset.takeOutgoing())), 'c10100')
})

data('round trips both ways: text, binary, empty, fragmented, over 64 KiB, many messages', () => {
  const { client: c, server: s, response } = pair()
  assert.match(response, /Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=13\r\n/)
  const random = new Random(9)
  const big = sampleText(300_000, 3)
  const binary = random.bytes(100_000)
  for (const [from, to] of [
    [c, s],
    [s, c],
  ] as const) {
    from.sendText('hello')
    from.sendBinary(binary)
    from.sendText('')
    from.sendText(big)
    from.sendText('part one, ', false)
    from.sendText('part two, ', false)
    from.sendText('part three')
    from.sendBinary(Uint8Array.of(1, 2), false)
    from.sendBinary(Uint8Array.of(3))
    const { frames, events } = pump(from, to)
    assert.equal(events, [
      { type: 'text', data: 'hello' },
      { type: 'binary', data: binary },
      { type: 'text', data: '' },
      { type: 'text', data: big },
      { type: 'text', data: 'part one, part two, part three' },
      { type: 'binary', data: Uint8Array.of(1, 2, 3) },
    ])
    // RSV1 on every first frame, never on a continuation.
    assert.equal(
      frames.map((f) => [f.opcode, f.rsv]),
      [
        [1, 4],
        [2, 4],
        [1, 4],
        [1, 4],
        [1, 4],
        [0, 0],
        [0, 0],
        [2, 4],
        [0, 0],
      ],
    )
    // The big text was compressed well; random bytes cost only a little overhead.
    assert.ok((frames[3]?.payload.length as number) < big.length / 3)
    assert.ok((frames[1]?.payload.length as number) < binary.length * 1.005)
  }
  // Many messages with context kept on a fragmenting connection.
  const fragmenting = pair({}, {}, { fragmentSize: 100 })
  const sent: string[] = []
  for (let i = 0; i < 200; i++) {
    const message = sampleText(50 + ((i * 37) % 900), i)
    sent.push(message)
    fragmenting.client.sendText(message)
  }
  const { frames, events } = pump(fragmenting.client, fragmenting.server, 4)
  assert.ok(frames.length > 200)
  assert.equal(
    events,
    sent.map((data) => ({ type: 'text', data })),
  )
})

data('node:zlib reads what we send, and we read what node:zlib sends', async () => {
  const messages = Array.from({ length: 30 }, (_, i) => utf8(sampleText(100 + i * 97, i)))
  for (const takeover of [true, false]) {
    // Ours -> zlib: with context kept, all messages (each with 00 00 ff ff put back) form one stream.
    const options = takeover ? {} : { serverNoContextTakeover: true }
    const sender = new WebSocketConnection({
      role: 'server',
      extensions: [serverCodec({ threshold: 0, ...options }, takeover ? [] : ['server_no_context_takeover'])],
    })
    for (const message of messages) sender.sendBinary(message)
    const payloads = parseFrames(concat(...sender.takeOutgoing())).map((f) => f.payload)
    if (takeover) {
      const all = inflateRawSync(concat(...payloads.flatMap((p) => [p, TAIL])), {
        finishFlush: constants.Z_SYNC_FLUSH,
      })
      assert.equal(new Uint8Array(all), concat(...messages))
    } else {
      for (const [index, payload] of payloads.entries()) {
        const one = inflateRawSync(concat(payload, TAIL), { finishFlush: constants.Z_SYNC_FLUSH })
        assert.equal(new Uint8Array(one), messages[index])
      }
    }
  }
  // zlib -> ours, with context kept: one zlib stream, sync-flushed after every message.
  const deflate = createDeflateRaw({ windowBits: 15 })
  const chunks: Buffer[] = []
  deflate.on('data', (chunk: Buffer) => chunks.push(chunk))
  const payloads: Uint8Array[] = []
  for (const message of messages) {
    deflate.write(message)
    await new Promise<void>((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()))
    const flushed = concat(...chunks.splice(0))
    assert.equal(flushed.subarray(flushed.length - 4), TAIL)
    payloads.push(flushed.subarray(0, flushed.length - 4))
  }
  deflate.close()
  const receiver = new WebSocketConnection({
    role: 'client',
    extensions: [new PerMessageDeflate().acceptResponse([])],
  })
  for (const payload of payloads) receiver.receive(frame({ opcode: 2, rsv: 4, payload }))
  assert.equal(
    receiver.takeEvents(),
    messages.map((data) => ({ type: 'binary', data })),
  )
})

data('context takeover: the second copy of a message is smaller; without it, the same size', () => {
  const message = sampleText(2000, 7)
  for (const [clientOptions, serverOptions, clientKeeps, serverKeeps] of [
    [{}, {}, true, true],
    [{ clientNoContextTakeover: true }, {}, false, true],
    [{}, { clientNoContextTakeover: true }, false, true],
    [{ serverNoContextTakeover: true }, {}, true, false],
    [{}, { serverNoContextTakeover: true }, true, false],
  ] as const) {
    const { client: c, server: s } = pair(clientOptions, serverOptions)
    for (const [from, to, keeps] of [
      [c, s, clientKeeps],
      [s, c, serverKeeps],
    ] as const) {
      from.sendText(message)
      from.sendText(message)
      const { frames, events } = pump(from, to)
      assert.equal(events, [
        { type: 'text', data: message },
        { type: 'text', data: message },
      ])
      const [first, second] = frames.map((f) => f.payload.length) as [number, number]
      const label = `${JSON.stringify(clientOptions)} ${JSON.stringify(serverOptions)}`
      if (keeps) assert.ok(second < first / 10, `${label}: ${second} < ${first} / 10`)
      else assert.is(second, first, label)
    }
  }
})

data(
  'window bits: 8 is compressed within 256 bytes; a peer reaching past the agreed window gets 1007',
  () => {
    // A server limited to 8 bits compresses within 256 bytes (our inflater checks it strictly).
    const { client: c, server: s } = pair({ serverMaxWindowBits: 8 })
    const message = `${sampleText(400, 1)}${sampleText(400, 1)}`
    s.sendText(message)
    const { frames, events } = pump(s, c)
    assert.equal(events, [{ type: 'text', data: message }])
    const strict = new Inflater({ windowBits: 8 })
    assert.is(
      Buffer.from(concat(...strict.push(concat(frames[0]?.payload as Uint8Array, TAIL)))).toString(),
      message,
    )
    // zlib asked for 8 bits uses 9, but reaches back at most 512 - 262 = 250 bytes: valid for an agreed 8,
    // which the client inflates with exactly 8 bits. (The message repeats at distance 400.)
    const agreed8 = () => ({
      role: 'client' as const,
      extensions: [
        new PerMessageDeflate({ serverMaxWindowBits: 8 }).acceptResponse([
          { name: 'server_max_window_bits', value: '8' },
        ]),
      ],
    })
    const zlib9 = deflateRawSync(utf8(message), { windowBits: 9, finishFlush: constants.Z_SYNC_FLUSH })
    const nine = receiveEveryWay(
      agreed8,
      frame({ opcode: 1, rsv: 4, payload: zlib9.subarray(0, zlib9.length - 4) }),
    )
    assert.equal(nine, [{ type: 'text', data: message }])
    // A 15-bit stream that reaches 1,000 bytes back, against an agreed 9: invalid data, 1007.
    const far = utf8(`${sampleText(1000, 4)}${sampleText(1000, 4)}`)
    const zlib15 = deflateRawSync(far, { windowBits: 15, finishFlush: constants.Z_SYNC_FLUSH })
    const agreed9 = () => ({
      role: 'client' as const,
      extensions: [new PerMessageDeflate().acceptResponse([{ name: 'server_max_window_bits', value: '9' }])],
    })
    const events9 = receiveEveryWay(
      agreed9,
      frame({ opcode: 2, rsv: 4, payload: zlib15.subarray(0, zlib15.length - 4) }),
    )
    const closed = closedEvent(events9)
    assert.is(closed.code, 1007)
    assert.is(closed.error?.code, 'WS_ERR_INVALID_COMPRESSED_DATA')
  },
)

// ---------------------------------------------------------------------------------------------
const failures = suite('compressed input that fails the connection')

/** A fresh server connection with permessage-deflate, limits as given. */
const compressedServer = (maxMessageSize?: number) => (): ConnectionOptions => ({
  role: 'server',
  extensions: [serverCodec()],
  ...(maxMessageSize === undefined ? {} : { limits: { maxMessageSize } }),
})

failures('RSV1 on a control frame or a continuation frame: 1002', () => {
  for (const stream of [
    frame({ opcode: 9, rsv: 4, mask: MASK }),
    frame({ opcode: 8, rsv: 4, mask: MASK, payload: Uint8Array.of(3, 232) }),
    concat(
      frame({ opcode: 1, fin: false, mask: MASK, payload: 'a' }),
      frame({ opcode: 0, rsv: 4, mask: MASK }),
    ),
    concat(
      frame({ opcode: 1, rsv: 4, fin: false, mask: MASK, payload: fromHex('f248') }),
      frame({ opcode: 0, rsv: 4, mask: MASK, payload: fromHex('cdc9c90700') }),
    ),
    frame({ opcode: 1, rsv: 2, mask: MASK }),
  ]) {
    const events = receiveEveryWay(compressedServer(), stream)
    assert.is(closedEvent(events).code, 1002, hex(stream))
  }
  // Without permessage-deflate, RSV1 on a data frame is a protocol error too.
  const plainServer = new WebSocketConnection({ role: 'server' })
  plainServer.receive(frame({ opcode: 1, rsv: 4, mask: MASK, payload: fromHex('f248cdc9c90700') }))
  assert.is(closedEvent(plainServer.takeEvents()).code, 1002)
})

failures('corrupt compressed data: 1007 on the wire, with the reason in the error', () => {
  const corrupt = [
    'ff', // BTYPE 3
    '00 0500 0000'.replaceAll(' ', ''), // stored block with a wrong NLEN
    'f20011', // a distance before the start of the output
    'ec', // dynamic block header that runs into garbage
  ]
  for (const payload of corrupt) {
    const events = receiveEveryWay(
      compressedServer(),
      frame({ opcode: 2, rsv: 4, mask: MASK, payload: fromHex(payload) }),
    )
    const closed = closedEvent(events)
    assert.is(closed.code, 1007, payload)
    assert.is(closed.error?.code, 'WS_ERR_INVALID_COMPRESSED_DATA', payload)
    assert.match(closed.error?.message ?? '', /invalid compressed data/)
    const connection = new WebSocketConnection(compressedServer()())
    connection.receive(frame({ opcode: 2, rsv: 4, mask: MASK, payload: fromHex(payload) }))
    assert.is(hex(concat(...connection.takeOutgoing())), '880203ef', 'close frame with 1007')
  }
  // A message that stops inside a DEFLATE block (here: Hello without its end-of-block code, and a
  // dynamic block header cut short) would make the next message garbage: 1007 at its end.
  for (const payload of ['f248cdc9c9', 'f248', 'f4']) {
    const events = receiveEveryWay(
      compressedServer(),
      frame({ opcode: 1, rsv: 4, mask: MASK, payload: fromHex(payload) }),
    )
    const closed = closedEvent(events)
    assert.is(closed.code, 1007, payload)
    assert.match(closed.error?.message ?? '', /inside a DEFLATE block|invalid compressed data/, payload)
    if (payload !== 'f4') assert.match(closed.error?.message ?? '', /inside a DEFLATE block/, payload)
  }
  // Valid DEFLATE that inflates to invalid UTF-8 in a text message: 1007 from the validator.
  const bad = deflateRawSync(Uint8Array.of(0x61, 0xff, 0x62), { finishFlush: constants.Z_SYNC_FLUSH })
  const events = receiveEveryWay(
    compressedServer(),
    frame({ opcode: 1, rsv: 4, mask: MASK, payload: bad.subarray(0, bad.length - 4) }),
  )
  assert.is(closedEvent(events).error?.code, 'WS_ERR_INVALID_UTF8')
})

failures('a deflate bomb gets 1009 while inflating, with memory bounded', () => {
  // 100 MiB of zeros compresses to ~100 KiB (DEFLATE cannot do better than ~1032:1, so a 1 KiB
  // payload inflates to at most ~1 MiB; both sizes are tested).
  const hundredMiB = 100 * 1024 * 1024
  const deflate = createDeflateRawSyncOfZeros(hundredMiB)
  assert.ok(deflate.length < 120 * 1024, `bomb is ${deflate.length} bytes`)
  globalThis.gc?.()
  const before = process.memoryUsage()
  const connection = new WebSocketConnection({
    role: 'client',
    extensions: [new PerMessageDeflate().acceptResponse([])],
  })
  // Delivered in 1 KiB pieces, as a network would.
  const bomb = frame({ opcode: 2, rsv: 4, payload: deflate })
  let fed = 0
  for (let offset = 0; offset < bomb.length && connection.state !== 'closed'; offset += 1024) {
    connection.receive(bomb.slice(offset, offset + 1024))
    fed = offset + 1024
  }
  const after = process.memoryUsage()
  const closed = closedEvent(connection.takeEvents())
  assert.is(closed.code, 1009)
  assert.is(closed.error?.code, 'WS_ERR_MESSAGE_TOO_BIG')
  // It stopped early: at the 16 MiB default limit, about a sixth of the way through the input.
  assert.ok(fed < bomb.length / 4, `stopped after ${fed} of ${bomb.length} bytes`)
  const grown = after.arrayBuffers + after.heapUsed - before.arrayBuffers - before.heapUsed
  assert.ok(grown < 48 * 1024 * 1024, `memory grew by ${grown} bytes`)
  // The 1 KiB bomb against a 64 KiB message limit.
  const small = createDeflateRawSyncOfZeros(1024 * 1024)
  assert.ok(small.length <= 1100, `small bomb is ${small.length} bytes`)
  const events = receiveEveryWay(
    compressedServer(64 * 1024),
    frame({ opcode: 2, rsv: 4, mask: MASK, payload: small }),
  )
  assert.is(closedEvent(events).code, 1009)
  // Exactly at the limit is fine.
  const exact = createDeflateRawSyncOfZeros(64 * 1024)
  const ok = receiveEveryWay(
    compressedServer(64 * 1024),
    frame({ opcode: 2, rsv: 4, mask: MASK, payload: exact }),
  )
  assert.equal(ok, [{ type: 'binary', data: new Uint8Array(64 * 1024) }])
})

/** zlib's raw DEFLATE of `size` zero bytes, sync-flushed, without the trailing 00 00 ff ff. */
function createDeflateRawSyncOfZeros(size: number): Uint8Array {
  const out = deflateRawSync(new Uint8Array(size), { level: 9, finishFlush: constants.Z_SYNC_FLUSH })
  return new Uint8Array(out.subarray(0, out.length - 4))
}

// ---------------------------------------------------------------------------------------------
const options = suite('options')

options('threshold: shorter messages go uncompressed, RSV1 clear', () => {
  const connection = new WebSocketConnection({ role: 'server', extensions: [serverCodec({ threshold: 10 })] })
  connection.sendText('123456789')
  connection.sendText('1234567890')
  connection.sendText('12', false) // a fragmented message is compressed whatever its first part
  connection.sendText('3')
  const frames = parseFrames(concat(...connection.takeOutgoing()))
  assert.equal(
    frames.map((f) => [f.opcode, f.rsv]),
    [
      [1, 0],
      [1, 4],
      [1, 4],
      [0, 0],
    ],
  )
  assert.is(text(frames[0]?.payload as Uint8Array), '123456789')
  // The default threshold is 1024 bytes.
  const byDefault = new WebSocketConnection({ role: 'server', extensions: [serverCodec()] })
  byDefault.sendText('x'.repeat(1023))
  byDefault.sendText('x'.repeat(1024))
  assert.equal(
    parseFrames(concat(...byDefault.takeOutgoing())).map((f) => f.rsv),
    [0, 4],
  )
})

options('level: 0 stores, 9 is no larger than 1; every level is read back', () => {
  const message = sampleText(20_000, 8)
  const sizes: number[] = []
  for (let level = 0; level <= 9; level++) {
    const { client: c, server: s } = pair({ level })
    c.sendText(message)
    const { frames, events } = pump(c, s)
    assert.equal(events, [{ type: 'text', data: message }])
    sizes.push(frames[0]?.payload.length as number)
  }
  assert.ok((sizes[0] as number) >= utf8(message).length, 'level 0 stores')
  assert.ok((sizes[9] as number) <= (sizes[1] as number), `level 9 ${sizes[9]} <= level 1 ${sizes[1]}`)
})

options('bad options are a RangeError or TypeError at construction', () => {
  for (const bad of [
    { level: 10 },
    { level: -1 },
    { level: 1.5 },
    { memLevel: 0 },
    { serverMaxWindowBits: 7 },
    { clientMaxWindowBits: 16 },
    { threshold: -1 },
    { serverMaxWindowBits: '9' as unknown as number },
  ]) {
    throwsKind(() => new PerMessageDeflate(bad), RangeError, /permessage-deflate/)
  }
  throwsKind(() => new PerMessageDeflate({ serverNoContextTakeover: 'yes' as unknown as boolean }), TypeError)
})

options('fragment events work on compressed messages', () => {
  const { client: c, server: s } = pair({}, {}, { messageFragments: true })
  const message = sampleText(5000, 2)
  c.sendText(message.slice(0, 2500), false)
  c.sendText(message.slice(2500))
  const { events } = pump(c, s)
  const pieces = events.map((event) => {
    assert.is(event.type, 'fragment')
    return event.type === 'fragment' ? Buffer.from(event.data).toString() : ''
  })
  assert.is(pieces.join(''), message)
  assert.equal(
    events.map((event) => event.type === 'fragment' && event.last),
    [false, true],
  )
})

server.run()
client.run()
data.run()
failures.run()
options.run()
