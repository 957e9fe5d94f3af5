import { createHash } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import { HeaderList, InvalidStateError, ServerHandshake, type ServerHandshakeResult } from '../src/index.ts'
import { frame, throwsKind } from './wire.ts'

const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0))
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1')
const KEY = 'dGhlIHNhbXBsZSBub25jZQ=='

const requestText = (lines: string[] = [], first = 'GET /chat HTTP/1.1'): string =>
  [
    first,
    'Host: server.example.com',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${KEY}`,
    'Sec-WebSocket-Version: 13',
    ...lines,
    '',
    '',
  ].join('\r\n')

function statusOf(response: Uint8Array): string {
  return text(response).split('\r\n')[0] as string
}

const accept = suite('4.2 accepting')

accept('the RFC 6455 section 1.3 example handshake', () => {
  const handshake = new ServerHandshake()
  const result = handshake.receive(
    latin1(requestText(['Origin: http://example.com', 'Sec-WebSocket-Protocol: chat, superchat'])),
  )
  assert.is(result.kind, 'request')
  if (result.kind !== 'request') return
  const { request } = result
  assert.is(request.resource, '/chat')
  assert.is(request.host, 'server.example.com')
  assert.is(request.origin, 'http://example.com')
  assert.equal(request.protocols, ['chat', 'superchat'])
  const { response, connection } = handshake.accept({ protocol: 'chat', headers: [['X-Server', 'ours']] })
  assert.equal(text(response).split('\r\n'), [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    'Sec-WebSocket-Protocol: chat',
    'X-Server: ours',
    '',
    '',
  ])
  assert.is(connection.protocol, 'chat')
  assert.is(connection.role, 'server')
  throwsKind(() => handshake.accept(), InvalidStateError)
  throwsKind(() => handshake.reject(403), InvalidStateError)
})

accept('any chunking; bytes after the request go to the connection', () => {
  const random = new Random(9)
  const stream = Buffer.concat([
    latin1(requestText()),
    frame({ opcode: 1, payload: 'early', mask: [1, 2, 3, 4] }),
  ])
  for (let round = 0; round < 30; round++) {
    const handshake = new ServerHandshake()
    let result: ServerHandshakeResult = { kind: 'incomplete' }
    const pieces =
      round === 0 ? Array.from(stream, (_, i) => stream.subarray(i, i + 1)) : random.chunks(stream, 40)
    const after: Uint8Array[] = []
    for (const piece of pieces) {
      if (result.kind === 'incomplete') result = handshake.receive(new Uint8Array(piece))
      else after.push(new Uint8Array(piece))
    }
    assert.is(result.kind, 'request')
    const { connection } = handshake.accept()
    for (const piece of after) connection.receive(piece)
    assert.equal(connection.takeEvents(), [{ type: 'text', data: 'early' }])
  }
})

accept('case-insensitive names and tokens, lists across repeated headers, absolute-form targets', () => {
  const handshake = new ServerHandshake()
  const result = handshake.receive(
    latin1(
      [
        'GET ws://server.example.com/a/b?c=d HTTP/1.1',
        'host: server.example.com',
        'UPGRADE: WebSocket',
        'connection: keep-alive',
        'Connection: upgrade',
        `sec-websocket-key: ${KEY}`,
        'SEC-WEBSOCKET-VERSION: 13',
        'Sec-WebSocket-Protocol: a',
        'Sec-WebSocket-Protocol: b',
        '',
        '',
      ].join('\r\n'),
    ),
  )
  assert.is(result.kind, 'request')
  if (result.kind !== 'request') return
  assert.is(result.request.resource, '/a/b?c=d')
  assert.equal(result.request.protocols, ['a', 'b'])
})

accept('a request parsed by an HTTP server (receiveParsed)', () => {
  const handshake = new ServerHandshake()
  const headers: [string, string][] = [
    ['host', 'h'],
    ['upgrade', 'websocket'],
    ['connection', 'Upgrade'],
    ['sec-websocket-key', KEY],
    ['sec-websocket-version', '13'],
  ]
  const result = handshake.receiveParsed(
    { method: 'GET', target: '/x', httpVersion: '1.1', headers },
    frame({ opcode: 2, payload: Uint8Array.of(1), mask: [0, 0, 0, 0] }),
  )
  assert.is(result.kind, 'request')
  const { connection } = handshake.accept()
  assert.is(connection.takeEvents()[0]?.type, 'binary')
  const old = new ServerHandshake().receiveParsed({
    method: 'GET',
    target: '/',
    httpVersion: '1.0',
    headers: new HeaderList(headers),
  })
  assert.is(old.kind, 'rejected')
  assert.is(
    new ServerHandshake().receiveParsed({ method: 'GET', target: '/', httpVersion: 'x', headers }).kind,
    'rejected',
  )
})

accept('accept() refuses a subprotocol the client did not offer; reject() builds an error response', () => {
  const handshake = new ServerHandshake()
  handshake.receive(latin1(requestText()))
  throwsKind(() => handshake.accept({ protocol: 'chat' }), TypeError)
  throwsKind(() => handshake.reject(101), RangeError)
  const response = handshake.reject(403, { body: 'origin not allowed', headers: { 'X-Why': 'origin' } })
  assert.is(statusOf(response), 'HTTP/1.1 403 Forbidden')
  assert.match(text(response), /\r\nContent-Length: 18\r\n/)
  assert.match(text(response), /\r\nX-Why: origin\r\n\r\norigin not allowed$/)
  throwsKind(() => handshake.receive(new Uint8Array(1)), InvalidStateError)
})

const reject = suite('4.2 rejecting malformed requests')

const cases: [string, string, string, string][] = [
  [
    'POST',
    requestText([], 'POST /chat HTTP/1.1'),
    'HTTP/1.1 405 Method Not Allowed',
    'WS_ERR_INVALID_METHOD',
  ],
  [
    'HTTP/1.0',
    requestText([], 'GET /chat HTTP/1.0'),
    'HTTP/1.1 505 HTTP Version Not Supported',
    'WS_ERR_INVALID_HTTP_VERSION',
  ],
  [
    'HTTP/2.0',
    requestText([], 'GET /chat HTTP/2.0'),
    'HTTP/1.1 505 HTTP Version Not Supported',
    'WS_ERR_INVALID_HTTP_VERSION',
  ],
  [
    'a bad request line',
    requestText([], 'GET  /chat HTTP/1.1'),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_REQUEST',
  ],
  [
    'an asterisk target',
    requestText([], 'GET * HTTP/1.1'),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_TARGET',
  ],
  [
    'an authority target',
    requestText([], 'GET http://?x HTTP/1.1'),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_TARGET',
  ],
  [
    'no Host',
    requestText().replace('Host: server.example.com\r\n', ''),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_HOST',
  ],
  ['two Hosts', requestText(['Host: other']), 'HTTP/1.1 400 Bad Request', 'WS_ERR_INVALID_HOST'],
  [
    'no Upgrade',
    requestText().replace('Upgrade: websocket\r\n', ''),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_UPGRADE',
  ],
  [
    'Upgrade: h2c',
    requestText().replace('Upgrade: websocket', 'Upgrade: h2c'),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_UPGRADE',
  ],
  [
    'no Connection',
    requestText().replace('Connection: Upgrade\r\n', ''),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_CONNECTION',
  ],
  [
    'Connection: close',
    requestText().replace('Connection: Upgrade', 'Connection: close'),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_CONNECTION',
  ],
  [
    'no key',
    requestText().replace(`Sec-WebSocket-Key: ${KEY}\r\n`, ''),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_KEY',
  ],
  [
    'a 15-byte key',
    requestText().replace(KEY, Buffer.alloc(15).toString('base64')),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_KEY',
  ],
  [
    'a 17-byte key',
    requestText().replace(KEY, Buffer.alloc(17).toString('base64')),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_KEY',
  ],
  [
    'a key that is not base64',
    requestText().replace(KEY, 'dGhlIHNhbXBsZSBub25jZQ!!'),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_KEY',
  ],
  ['two keys', requestText([`Sec-WebSocket-Key: ${KEY}`]), 'HTTP/1.1 400 Bad Request', 'WS_ERR_INVALID_KEY'],
  [
    'version 8',
    requestText().replace('Version: 13', 'Version: 8'),
    'HTTP/1.1 426 Upgrade Required',
    'WS_ERR_UNSUPPORTED_VERSION',
  ],
  [
    'no version',
    requestText().replace('Sec-WebSocket-Version: 13\r\n', ''),
    'HTTP/1.1 426 Upgrade Required',
    'WS_ERR_UNSUPPORTED_VERSION',
  ],
  [
    'a malformed subprotocol list',
    requestText(['Sec-WebSocket-Protocol: a b']),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_PROTOCOL',
  ],
  [
    'an empty subprotocol list',
    requestText(['Sec-WebSocket-Protocol: ,']),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_PROTOCOL',
  ],
  [
    'a malformed extension list',
    requestText(['Sec-WebSocket-Extensions: a;=b']),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_EXTENSIONS',
  ],
  [
    'a NUL in a header value',
    requestText(['X: a\u0000b']),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_REQUEST',
  ],
  [
    'obsolete line folding',
    requestText(['X: a', ' folded']),
    'HTTP/1.1 400 Bad Request',
    'WS_ERR_INVALID_REQUEST',
  ],
]

for (const [name, request, status, code] of cases) {
  reject(`${name}: ${status.slice(9)}`, () => {
    const handshake = new ServerHandshake()
    const result = handshake.receive(latin1(request))
    assert.is(result.kind, 'rejected')
    if (result.kind !== 'rejected') return
    assert.is(result.error.code, code)
    assert.is(statusOf(result.response), status)
    assert.match(text(result.response), /\r\nConnection: close\r\n/)
    const body = text(result.response).split('\r\n\r\n')[1] as string
    assert.ok(body.length > 0)
    assert.match(text(result.response), new RegExp(`\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`))
    if (status.includes('426')) assert.match(text(result.response), /\r\nSec-WebSocket-Version: 13\r\n/)
    if (status.includes('405')) assert.match(text(result.response), /\r\nAllow: GET\r\n/)
    throwsKind(() => handshake.accept(), InvalidStateError)
  })
}

reject(
  'too many headers, an over-long header line, an oversized head: 431 without waiting for the end',
  () => {
    const many = new ServerHandshake().receive(
      latin1(requestText(Array.from({ length: 101 }, (_, i) => `X-${i}: v`))),
    )
    assert.is(many.kind, 'rejected')
    if (many.kind === 'rejected')
      assert.is(statusOf(many.response), 'HTTP/1.1 431 Request Header Fields Too Large')
    const long = new ServerHandshake()
    long.receive(latin1('GET / HTTP/1.1\r\nX: '))
    const result = long.receive(latin1('v'.repeat(9000)))
    assert.is(result.kind, 'rejected')
    const big = new ServerHandshake({ handshakeLimits: { maxHeadBytes: 512 } })
    let outcome: ServerHandshakeResult = big.receive(latin1('GET / HTTP/1.1\r\n'))
    for (let i = 0; i < 50 && outcome.kind === 'incomplete'; i++)
      outcome = big.receive(latin1(`X-${i}: ${'v'.repeat(20)}\r\n`))
    assert.is(outcome.kind, 'rejected')
    if (outcome.kind === 'rejected') assert.is(outcome.error.httpStatus, 431)
  },
)

reject('hostile header values finish promptly with the right answer', () => {
  const spaces = ' '.repeat(8000)
  const padded = new ServerHandshake().receive(latin1(requestText([`Sec-WebSocket-Protocol: a,${spaces},b`])))
  assert.is(padded.kind, 'request')
  const names = ['__proto__', 'constructor', 'hasOwnProperty', 'toString'].map(
    (n) => `Sec-WebSocket-Extensions: x; ${n}=1`,
  )
  const proto = new ServerHandshake().receive(latin1(requestText(names)))
  assert.is(proto.kind, 'request')
  if (proto.kind === 'request') assert.is(proto.request.extensions.length, 4)
})

reject('the accept value is node:crypto’s for random keys', () => {
  const random = new Random(4)
  for (let i = 0; i < 50; i++) {
    const key = Buffer.from(random.bytes(16)).toString('base64')
    const handshake = new ServerHandshake()
    handshake.receive(latin1(requestText().replace(KEY, key)))
    const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')
    assert.match(text(handshake.accept().response), `Sec-WebSocket-Accept: ${expected}\r\n`)
  }
})

accept.run()
reject.run()
