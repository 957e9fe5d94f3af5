import { constants, deflateRawSync } from 'node:zlib'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { H2ClientHandshake, H2ServerHandshake } from '../src/h2.ts'
import { InvalidStateError, PerMessageDeflate, ServerHandshake } from '../src/index.ts'
import { frame, seededFill, throwsKind } from './wire.ts'

type Fields = [string, string][]

/** The request of RFC 8441 section 5.1, written out by hand. */
const EXAMPLE: Fields = [
  [':method', 'CONNECT'],
  [':protocol', 'websocket'],
  [':scheme', 'https'],
  [':path', '/chat'],
  [':authority', 'server.example.com'],
  ['sec-websocket-protocol', 'chat, superchat'],
  ['sec-websocket-extensions', 'permessage-deflate'],
  ['sec-websocket-version', '13'],
  ['origin', 'http://www.example.com'],
]

const replace = (name: string, value: string | undefined, base: Fields = EXAMPLE): Fields => {
  const out: Fields = []
  for (const field of base) {
    if (field[0] !== name) out.push(field)
    else if (value !== undefined) out.push([name, value])
  }
  return out
}

const accept = suite('RFC 8441: the server accepts')

accept('the RFC 8441 section 5.1 example: 200, the chosen subprotocol, no accept value', () => {
  const handshake = new H2ServerHandshake({ extensions: [new PerMessageDeflate()] })
  const result = handshake.receive(EXAMPLE)
  if (result.kind !== 'request') throw new Error(result.error.message)
  const { request } = result
  assert.is(request.method, 'CONNECT')
  assert.is(request.scheme, 'https')
  assert.is(request.resource, '/chat')
  assert.is(request.target, '/chat')
  assert.is(request.host, 'server.example.com')
  assert.is(request.origin, 'http://www.example.com')
  assert.is(request.key, '')
  assert.equal(request.protocols, ['chat', 'superchat'])
  assert.equal(request.extensions, [{ name: 'permessage-deflate', params: [] }])
  assert.is(request.headers.get('sec-websocket-version'), '13')
  assert.not.ok(request.headers.has(':path'), 'headers holds the regular fields only')
  const { headers, connection } = handshake.accept({ protocol: 'chat', headers: { 'X-Server': 'ours' } })
  assert.equal(headers, [
    [':status', '200'],
    ['sec-websocket-protocol', 'chat'],
    ['sec-websocket-extensions', 'permessage-deflate'],
    ['x-server', 'ours'],
  ])
  assert.is(connection.role, 'server')
  assert.is(connection.protocol, 'chat')
  // The connection inflates what a node:zlib peer compressed (RSV1, sync flush tail removed).
  const compressed = deflateRawSync(Buffer.from('compressed over a stream'), {
    finishFlush: constants.Z_SYNC_FLUSH,
  })
  connection.receive(frame({ opcode: 1, rsv: 4, payload: compressed.subarray(0, -4), mask: [9, 8, 7, 6] }))
  assert.equal(connection.takeEvents(), [{ type: 'text', data: 'compressed over a stream' }])
  throwsKind(() => handshake.accept(), InvalidStateError)
  throwsKind(() => handshake.reject(403), InvalidStateError)
  throwsKind(() => handshake.receive(EXAMPLE), InvalidStateError)
})

accept('without offers: no subprotocol, no extensions; http scheme; a matching host field is fine', () => {
  const fields = replace('sec-websocket-extensions', undefined, replace('sec-websocket-protocol', undefined))
  const handshake = new H2ServerHandshake({ extensions: [new PerMessageDeflate()] })
  const result = handshake.receive([
    ...replace(':scheme', 'http', fields),
    ['host', 'Server.Example.com'],
    ['te', 'trailers'],
  ])
  if (result.kind !== 'request') throw new Error(result.error.message)
  assert.is(result.request.scheme, 'http')
  assert.equal(result.request.protocols, [])
  const { headers, connection } = handshake.accept()
  assert.equal(headers, [[':status', '200']])
  assert.is(connection.protocol, '')
  assert.is(connection.extensions.length, 0)
})

accept('our client and our server agree, and messages flow both ways', () => {
  const client = new H2ClientHandshake({
    url: 'ws://127.0.0.1:8080/echo?room=1',
    protocols: ['a', 'b'],
    extensions: [new PerMessageDeflate({ threshold: 0 })],
    randomFill: seededFill(5),
  })
  const server = new H2ServerHandshake({ extensions: [new PerMessageDeflate({ threshold: 0 })] })
  const result = server.receive(client.headers)
  if (result.kind !== 'request') throw new Error(result.error.message)
  assert.is(result.request.resource, '/echo?room=1')
  assert.is(result.request.host, '127.0.0.1:8080')
  const accepted = server.accept({ protocol: 'b' })
  const opened = client.receive(accepted.headers)
  if (opened.kind !== 'open') throw new Error(opened.error.message)
  assert.is(opened.connection.protocol, 'b')
  opened.connection.sendText('ping over h2')
  opened.connection.sendBinary(new Uint8Array([1, 2, 3]))
  for (const chunk of opened.connection.takeOutgoing()) accepted.connection.receive(chunk)
  const events = accepted.connection.takeEvents()
  assert.is(events.length, 2)
  assert.equal(events[0], { type: 'text', data: 'ping over h2' })
  assert.is(events[1].type, 'binary')
  accepted.connection.sendText('pong')
  for (const chunk of accepted.connection.takeOutgoing()) opened.connection.receive(chunk)
  assert.equal(opened.connection.takeEvents(), [{ type: 'text', data: 'pong' }])
})

accept('accept() checks the subprotocol and the extra fields', () => {
  const fresh = () => {
    const handshake = new H2ServerHandshake()
    assert.is(handshake.receive(EXAMPLE).kind, 'request')
    return handshake
  }
  throwsKind(() => fresh().accept({ protocol: 'other' }), TypeError, /not offered/)
  throwsKind(() => fresh().accept({ headers: { Connection: 'close' } }), TypeError, /HTTP\/2/)
  throwsKind(() => fresh().accept({ headers: { 'sec-websocket-protocol': 'chat' } }), TypeError)
  throwsKind(() => new H2ServerHandshake().accept(), InvalidStateError)
})

accept('reject(): an error status with a text body; 2xx would open the tunnel, so it is refused', () => {
  const handshake = new H2ServerHandshake()
  assert.is(handshake.receive(EXAMPLE).kind, 'request')
  throwsKind(() => handshake.reject(200), RangeError)
  throwsKind(() => handshake.reject(600), RangeError)
  throwsKind(() => handshake.reject(403, { headers: { 'Content-Length': '3' } }), TypeError)
  assert.equal(handshake.reject(403, { body: 'origin not allowed', headers: { 'X-Why': 'origin' } }), {
    status: 403,
    headers: [
      [':status', '403'],
      ['content-type', 'text/plain; charset=utf-8'],
      ['x-why', 'origin'],
    ],
    body: 'origin not allowed',
  })
  throwsKind(() => handshake.accept(), InvalidStateError)
  throwsKind(() => handshake.reject(403), InvalidStateError)
})

const reject = suite('RFC 8441 and RFC 9113: bad requests get the right status')

const CASES: [string, Fields, number, string, Fields?][] = [
  // RFC 9113 section 8.1.1: malformed requests.
  ['no :method', replace(':method', undefined), 400, 'WS_ERR_INVALID_REQUEST'],
  ['an empty :method', replace(':method', ''), 400, 'WS_ERR_INVALID_REQUEST'],
  [
    'an unknown pseudo-header',
    [...EXAMPLE.slice(0, 5), [':status', '200'], ...EXAMPLE.slice(5)],
    400,
    'WS_ERR_INVALID_REQUEST',
  ],
  ['a repeated pseudo-header', [[':path', '/x'], ...EXAMPLE], 400, 'WS_ERR_INVALID_REQUEST'],
  ['a pseudo-header after a regular field', [...EXAMPLE, [':path', '/x']], 400, 'WS_ERR_INVALID_REQUEST'],
  ['an upper-case field name', [...EXAMPLE, ['Origin', 'x']], 400, 'WS_ERR_INVALID_REQUEST'],
  ['a field name that is not a token', [...EXAMPLE, ['a b', 'x']], 400, 'WS_ERR_INVALID_REQUEST'],
  ['a connection field', [...EXAMPLE, ['connection', 'upgrade']], 400, 'WS_ERR_INVALID_REQUEST'],
  ['an upgrade field', [...EXAMPLE, ['upgrade', 'websocket']], 400, 'WS_ERR_INVALID_REQUEST'],
  ['te other than trailers', [...EXAMPLE, ['te', 'gzip']], 400, 'WS_ERR_INVALID_REQUEST'],
  ['a value with CR', [...EXAMPLE, ['x', 'a\rb']], 400, 'WS_ERR_INVALID_REQUEST'],
  ['a value with NUL', [...EXAMPLE, ['x', 'a\0b']], 400, 'WS_ERR_INVALID_REQUEST'],
  ['a value with trailing whitespace', [...EXAMPLE, ['x', 'a\t']], 400, 'WS_ERR_INVALID_REQUEST'],
  [
    'a field that is not a string pair',
    [...EXAMPLE, ['x', 1 as unknown as string]],
    400,
    'WS_ERR_INVALID_REQUEST',
  ],
  // RFC 8441 section 4: :protocol belongs to CONNECT only; extended CONNECT needs :scheme, :path and :authority.
  ['a GET with :protocol', replace(':method', 'GET'), 400, 'WS_ERR_INVALID_REQUEST'],
  ['no :scheme', replace(':scheme', undefined), 400, 'WS_ERR_INVALID_REQUEST'],
  ['no :path', replace(':path', undefined), 400, 'WS_ERR_INVALID_REQUEST'],
  ['no :authority', replace(':authority', undefined), 400, 'WS_ERR_INVALID_REQUEST'],
  ['an empty :authority', replace(':authority', ''), 400, 'WS_ERR_INVALID_REQUEST'],
  // RFC 8441 section 5: the target URI is http(s) with the WebSocket URI's path.
  ['a :scheme other than http or https', replace(':scheme', 'ftp'), 400, 'WS_ERR_INVALID_TARGET'],
  ['an empty :path', replace(':path', ''), 400, 'WS_ERR_INVALID_TARGET'],
  ['an asterisk :path', replace(':path', '*'), 400, 'WS_ERR_INVALID_TARGET'],
  // RFC 9113 section 8.3.1: a host field that names another authority.
  [
    'a host field that differs from :authority',
    [...EXAMPLE, ['host', 'other.example']],
    400,
    'WS_ERR_INVALID_HOST',
  ],
  [
    'two host fields',
    [...EXAMPLE, ['host', 'server.example.com'], ['host', 'server.example.com']],
    400,
    'WS_ERR_INVALID_HOST',
  ],
  // RFC 6455 section 4.2.2 item 4, without 426 (it needs an Upgrade field, forbidden in HTTP/2).
  [
    'no sec-websocket-version',
    replace('sec-websocket-version', undefined),
    400,
    'WS_ERR_UNSUPPORTED_VERSION',
    [['sec-websocket-version', '13']],
  ],
  [
    'sec-websocket-version 8',
    replace('sec-websocket-version', '8'),
    400,
    'WS_ERR_UNSUPPORTED_VERSION',
    [['sec-websocket-version', '13']],
  ],
  [
    'a malformed subprotocol offer',
    replace('sec-websocket-protocol', 'chat, a b'),
    400,
    'WS_ERR_INVALID_PROTOCOL',
  ],
  ['an empty subprotocol offer', replace('sec-websocket-protocol', ','), 400, 'WS_ERR_INVALID_PROTOCOL'],
  [
    'a malformed extensions offer',
    replace('sec-websocket-extensions', 'permessage-deflate; ='),
    400,
    'WS_ERR_INVALID_EXTENSIONS',
  ],
  // RFC 9110 section 15.5.6: a method the WebSocket resource does not allow.
  [
    'a GET',
    replace(':protocol', undefined, replace(':method', 'GET')),
    405,
    'WS_ERR_INVALID_METHOD',
    [['allow', 'CONNECT']],
  ],
  [
    'a POST',
    replace(':protocol', undefined, replace(':method', 'POST')),
    405,
    'WS_ERR_INVALID_METHOD',
    [['allow', 'CONNECT']],
  ],
  // RFC 9110 section 15.6.2 and RFC 9220 section 3: what is not implemented.
  [
    'a CONNECT tunnel (no :protocol)',
    [
      [':method', 'CONNECT'],
      [':authority', 'example.org:443'],
    ],
    501,
    'WS_ERR_INVALID_PROTOCOL_PSEUDO',
  ],
  ['an unknown :protocol', replace(':protocol', 'webtransport'), 501, 'WS_ERR_INVALID_PROTOCOL_PSEUDO'],
]

for (const [name, fields, status, code, extra] of CASES) {
  reject(`${status}: ${name}`, () => {
    const handshake = new H2ServerHandshake()
    const result = handshake.receive(fields)
    if (result.kind !== 'rejected') throw new Error(`expected a rejection, got ${result.kind}`)
    assert.is(result.error.code, code)
    assert.is(result.error.httpStatus, status)
    assert.is(result.response.status, status)
    assert.equal(result.response.headers.slice(0, 2), [
      [':status', String(status)],
      ['content-type', 'text/plain; charset=utf-8'],
    ])
    assert.equal(result.response.headers.slice(2), extra ?? [])
    assert.is(result.response.body, result.error.message)
    assert.ok(result.response.body.length > 0)
    throwsKind(() => handshake.accept(), InvalidStateError)
    throwsKind(() => handshake.receive(EXAMPLE), InvalidStateError)
  })
}

reject(':protocol is compared without case, like an upgrade token', () => {
  assert.is(new H2ServerHandshake().receive(replace(':protocol', 'WebSocket')).kind, 'request')
})

reject('the HTTP/1.1 server refuses the same malformed offers with the same codes', () => {
  const head = (line: string) =>
    Buffer.from(
      `GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${line}\r\n\r\n`,
      'latin1',
    )
  for (const [line, field, code] of [
    ['Sec-WebSocket-Protocol: chat, a b', ['sec-websocket-protocol', 'chat, a b'], 'WS_ERR_INVALID_PROTOCOL'],
    ['Sec-WebSocket-Extensions: x; =', ['sec-websocket-extensions', 'x; ='], 'WS_ERR_INVALID_EXTENSIONS'],
  ] as const) {
    const h1 = new ServerHandshake().receive(head(line))
    const h2 = new H2ServerHandshake().receive(replace(field[0], field[1]))
    if (h1.kind !== 'rejected' || h2.kind !== 'rejected') throw new Error('expected rejections')
    assert.is(h1.error.code, code)
    assert.is(h2.error.code, code)
    assert.is(h2.error.message, h1.error.message)
  }
})

accept.run()
reject.run()
