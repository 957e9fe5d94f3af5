import { createHash } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import {
  acceptKey,
  ClientHandshake,
  type ClientHandshakeResult,
  HandshakeError,
  parseTarget,
} from '../src/index.ts'
import { frame, seededFill, throwsKind } from './wire.ts'

const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0))
const text = (bytes: Uint8Array): string => String.fromCharCode(...bytes)

/** An independent accept computation with node:crypto. */
const nodeAccept = (key: string): string =>
  createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')

const response = (key: string, extra: string[] = [], status = '101 Switching Protocols'): string =>
  [
    `HTTP/1.1 ${status}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${nodeAccept(key)}`,
    ...extra,
    '',
    '',
  ].join('\r\n')

const request = suite('4.1 the client request')

request('the RFC 6455 example key gives the RFC accept value', () => {
  assert.is(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
  assert.is(nodeAccept('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
  throwsKind(() => acceptKey(5 as unknown as string), TypeError)
})

request('the request has every required field, the key is 16 random bytes in base64', () => {
  const handshake = new ClientHandshake({
    url: 'ws://example.com:8080/chat?room=1',
    protocols: ['chat', 'superchat'],
    headers: { 'X-Trace': 'abc' },
    origin: 'http://example.com',
    randomFill: seededFill(1),
  })
  const lines = text(handshake.request).split('\r\n')
  assert.equal(lines, [
    'GET /chat?room=1 HTTP/1.1',
    'Host: example.com:8080',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${handshake.key}`,
    'Sec-WebSocket-Version: 13',
    'Origin: http://example.com',
    'Sec-WebSocket-Protocol: chat, superchat',
    'X-Trace: abc',
    '',
    '',
  ])
  assert.is(Buffer.from(handshake.key, 'base64').length, 16)
  assert.is.not(new ClientHandshake({ url: 'ws://a/' }).key, new ClientHandshake({ url: 'ws://a/' }).key)
})

request('URLs: default ports, wss, IPv6, empty path, Host override, credentials', () => {
  assert.equal(parseTarget('ws://example.com'), {
    secure: false,
    hostname: 'example.com',
    port: 80,
    host: 'example.com',
    resource: '/',
  })
  assert.equal(parseTarget('wss://example.com:443/x'), {
    secure: true,
    hostname: 'example.com',
    port: 443,
    host: 'example.com',
    resource: '/x',
  })
  assert.equal(parseTarget('ws://[::1]:9000/?q'), {
    secure: false,
    hostname: '::1',
    port: 9000,
    host: '[::1]:9000',
    resource: '/?q',
  })
  assert.is(parseTarget('https://h/').secure, true)
  const withHost = new ClientHandshake({ url: 'ws://127.0.0.1:1/', headers: [['Host', 'virtual.example']] })
  assert.match(text(withHost.request), /\r\nHost: virtual.example\r\n/)
  assert.is(text(withHost.request).match(/Host:/g)?.length, 1)
  const auth = new ClientHandshake({ url: 'ws://user:p%40ss@h/' })
  assert.match(
    text(auth.request),
    new RegExp(`Authorization: Basic ${Buffer.from('user:p@ss').toString('base64')}`),
  )
})

request('bad options throw at once', () => {
  throwsKind(() => new ClientHandshake({ url: 'http//nope' }), SyntaxError)
  throwsKind(() => new ClientHandshake({ url: 'ftp://h/' }), SyntaxError)
  throwsKind(() => new ClientHandshake({ url: 'ws://h/#frag' }), SyntaxError)
  throwsKind(() => new ClientHandshake({ url: 'ws://h/#' }), SyntaxError)
  throwsKind(() => new ClientHandshake({ url: 5 as unknown as string }), TypeError)
  throwsKind(() => new ClientHandshake({ url: 'ws://h/', protocols: ['a b'] }), SyntaxError)
  throwsKind(() => new ClientHandshake({ url: 'ws://h/', protocols: ['a', 'a'] }), SyntaxError)
  throwsKind(() => new ClientHandshake({ url: 'ws://h/', headers: { 'Bad Name': 'x' } }), TypeError)
  throwsKind(() => new ClientHandshake({ url: 'ws://h/', headers: { X: 'a\r\nInjected: 1' } }), TypeError)
  throwsKind(() => new ClientHandshake({ url: 'ws://h/', headers: { X: 'snow ☃' } }), TypeError)
  throwsKind(() => new ClientHandshake({ url: 'ws://h/', headers: { 'Sec-WebSocket-Key': 'x' } }), TypeError)
  throwsKind(() => new ClientHandshake({ url: 'ws://h/', origin: 'a\nb' }), TypeError)
})

const responses = suite('4.1 checking the response')

function open(options: { url?: string; protocols?: string[] } = {}) {
  return new ClientHandshake({
    url: options.url ?? 'ws://h/',
    ...(options.protocols ? { protocols: options.protocols } : {}),
  })
}

function failure(result: ClientHandshakeResult): HandshakeError {
  assert.is(result.kind, 'failed')
  return (result as { error: HandshakeError }).error
}

responses(
  'a good response opens the connection, in any chunking; bytes after it belong to the connection',
  () => {
    const random = new Random(3)
    for (let round = 0; round < 30; round++) {
      const handshake = open({ protocols: ['chat'] })
      const bytes = latin1(response(handshake.key, ['Sec-WebSocket-Protocol: chat']))
      const data = frame({ opcode: 1, payload: 'hello' })
      const stream = new Uint8Array(bytes.length + data.length)
      stream.set(bytes)
      stream.set(data, bytes.length)
      let result: ClientHandshakeResult = { kind: 'incomplete' }
      const pieces =
        round === 0 ? Array.from(stream, (_, i) => stream.subarray(i, i + 1)) : random.chunks(stream, 50)
      for (const piece of pieces) {
        if (result.kind === 'open') result.connection.receive(piece)
        else result = handshake.receive(piece)
      }
      assert.is(result.kind, 'open')
      if (result.kind !== 'open') return
      assert.is(result.connection.protocol, 'chat')
      assert.is(result.connection.role, 'client')
      assert.is(result.response.status, 101)
      assert.equal(result.connection.takeEvents(), [{ type: 'text', data: 'hello' }])
      throwsKind(() => handshake.receive(new Uint8Array(1)), Error)
    }
  },
)

responses('token lists are matched case-insensitively', () => {
  const handshake = open()
  const bytes = latin1(
    `HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nCONNECTION: keep-alive, UPGRADE\r\nsec-websocket-accept: ${nodeAccept(handshake.key)}\r\n\r\n`,
  )
  assert.is(handshake.receive(bytes).kind, 'open')
})

const bad: [string, (key: string) => string, string][] = [
  ['a wrong status', (key) => response(key, [], '200 OK'), 'WS_ERR_UNEXPECTED_STATUS'],
  [
    'a 403 with a body',
    () => 'HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno',
    'WS_ERR_UNEXPECTED_STATUS',
  ],
  ['HTTP/1.0', (key) => response(key).replace('HTTP/1.1', 'HTTP/1.0'), 'WS_ERR_INVALID_RESPONSE'],
  ['a garbage status line', () => 'SSH-2.0-OpenSSH\r\n\r\n', 'WS_ERR_INVALID_RESPONSE'],
  ['a malformed header line', () => 'HTTP/1.1 101 OK\r\nNo colon here\r\n\r\n', 'WS_ERR_INVALID_RESPONSE'],
  [
    'a missing Upgrade',
    (key) => response(key).replace('Upgrade: websocket\r\n', ''),
    'WS_ERR_INVALID_UPGRADE',
  ],
  [
    'a wrong Upgrade',
    (key) => response(key).replace('Upgrade: websocket', 'Upgrade: h2c'),
    'WS_ERR_INVALID_UPGRADE',
  ],
  [
    'a missing Connection',
    (key) => response(key).replace('Connection: Upgrade\r\n', ''),
    'WS_ERR_INVALID_CONNECTION',
  ],
  [
    'a wrong Connection',
    (key) => response(key).replace('Connection: Upgrade', 'Connection: close'),
    'WS_ERR_INVALID_CONNECTION',
  ],
  [
    'a missing accept',
    (key) => response(key).replace(/Sec-WebSocket-Accept: .*\r\n/, ''),
    'WS_ERR_INVALID_ACCEPT',
  ],
  [
    'a wrong accept',
    (key) => response(key).replace(nodeAccept(key), nodeAccept('AAAAAAAAAAAAAAAAAAAAAA==')),
    'WS_ERR_INVALID_ACCEPT',
  ],
  [
    'two accept headers',
    (key) => response(key, [`Sec-WebSocket-Accept: ${nodeAccept(key)}`]),
    'WS_ERR_INVALID_ACCEPT',
  ],
  [
    'an unrequested subprotocol',
    (key) => response(key, ['Sec-WebSocket-Protocol: other']),
    'WS_ERR_UNREQUESTED_PROTOCOL',
  ],
  [
    'two subprotocols',
    (key) => response(key, ['Sec-WebSocket-Protocol: chat, chat']),
    'WS_ERR_INVALID_PROTOCOL',
  ],
  [
    'an unrequested extension',
    (key) => response(key, ['Sec-WebSocket-Extensions: permessage-deflate']),
    'WS_ERR_UNREQUESTED_EXTENSION',
  ],
  [
    'a malformed extension header',
    (key) => response(key, ['Sec-WebSocket-Extensions: ;;']),
    'WS_ERR_INVALID_EXTENSIONS',
  ],
]

for (const [name, build, code] of bad) {
  responses(`${name} fails with ${code}`, () => {
    const handshake = open({ protocols: ['chat'] })
    const error = failure(handshake.receive(latin1(build(handshake.key))))
    assert.instance(error, HandshakeError)
    assert.is(error.code, code)
    assert.ok(error.message.length > 10)
  })
}

responses('a non-101 response carries its status and headers', () => {
  const handshake = open()
  const error = failure(
    handshake.receive(latin1('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic\r\n\r\n')),
  )
  assert.equal(error.response, {
    status: 401,
    statusText: 'Unauthorized',
    headers: [['WWW-Authenticate', 'Basic']],
  })
  assert.match(error.message, /401 Unauthorized/)
})

responses('an oversized response fails without waiting for its end', () => {
  const handshake = new ClientHandshake({ url: 'ws://h/', handshakeLimits: { maxHeadBytes: 1024 } })
  let result: ClientHandshakeResult = handshake.receive(latin1('HTTP/1.1 101 OK\r\n'))
  for (let i = 0; i < 100 && result.kind === 'incomplete'; i++)
    result = handshake.receive(latin1(`X-Filler-${i}: ${'v'.repeat(50)}\r\n`))
  assert.is(failure(result).code, 'WS_ERR_INVALID_RESPONSE')
  assert.match(failure(result).message, /head/i)
})

request.run()
responses.run()
