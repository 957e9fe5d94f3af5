import { constants, inflateRawSync } from 'node:zlib'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { H2ClientHandshake } from '../src/h2.ts'
import { InvalidStateError, PerMessageDeflate } from '../src/index.ts'
import { parseFrames, seededFill, throwsKind } from './wire.ts'

type Fields = [string, string][]

const request = suite('RFC 8441: the client request')

request('the RFC 8441 section 5.1 example: pseudo-header fields first, no key', () => {
  const handshake = new H2ClientHandshake({
    url: 'wss://server.example.com/chat',
    protocols: ['chat', 'superchat'],
    extensions: [new PerMessageDeflate()],
    origin: 'http://www.example.com',
  })
  assert.equal(handshake.headers, [
    [':method', 'CONNECT'],
    [':protocol', 'websocket'],
    [':scheme', 'https'],
    [':path', '/chat'],
    [':authority', 'server.example.com'],
    ['sec-websocket-version', '13'],
    ['origin', 'http://www.example.com'],
    ['sec-websocket-protocol', 'chat, superchat'],
    ['sec-websocket-extensions', 'permessage-deflate; client_max_window_bits'],
  ])
  assert.is(handshake.target.secure, true)
  assert.is(handshake.target.port, 443)
})

request('ws:// is :scheme http; port and query kept; credentials become Basic authorization', () => {
  const handshake = new H2ClientHandshake({
    url: 'ws://us%C3%A9r:p%3Ass@127.0.0.1:8080/a/b?x=1&y=2',
    headers: { 'X-Trace': 'abc', Host: 'example.org:8080' },
  })
  const fields = new Map(handshake.headers)
  assert.is(fields.get(':scheme'), 'http')
  assert.is(fields.get(':path'), '/a/b?x=1&y=2')
  assert.is(fields.get(':authority'), 'example.org:8080', 'a host header sets :authority')
  assert.not.ok(fields.has('host'))
  assert.is(fields.get('x-trace'), 'abc', 'names are sent in lower case')
  assert.is(fields.get('authorization'), `Basic ${Buffer.from('usér:p:ss', 'utf8').toString('base64')}`)
  assert.not.ok(fields.has('sec-websocket-protocol'))
  assert.not.ok(fields.has('sec-websocket-extensions'))
  const names = handshake.headers.map(([name]) => name)
  assert.equal(names.slice(0, 5), [':method', ':protocol', ':scheme', ':path', ':authority'])
  const own = new H2ClientHandshake({ url: 'ws://u:p@h/', headers: [['Authorization', 'Bearer t']] })
  assert.equal(
    own.headers.filter(([name]) => name === 'authorization'),
    [['authorization', 'Bearer t']],
  )
  const ipv6 = new H2ClientHandshake({ url: 'wss://[::1]:9443/' })
  assert.is(new Map(ipv6.headers).get(':authority'), '[::1]:9443')
})

request('bad options throw at once', () => {
  throwsKind(() => new H2ClientHandshake({ url: 'http://x/#frag' }), SyntaxError)
  throwsKind(() => new H2ClientHandshake({ url: 'ftp://x/' }), SyntaxError)
  throwsKind(() => new H2ClientHandshake({ url: 'ws://x/', protocols: ['a b'] }), SyntaxError)
  throwsKind(() => new H2ClientHandshake({ url: 'ws://x/', protocols: ['a', 'a'] }), SyntaxError)
  throwsKind(
    () => new H2ClientHandshake({ url: 'ws://x/', headers: { 'Sec-WebSocket-Key': 'k' } }),
    TypeError,
    /set by the handshake/,
  )
  for (const name of ['Connection', 'upgrade', 'Keep-Alive', 'transfer-encoding', 'TE', 'proxy-connection']) {
    throwsKind(
      () => new H2ClientHandshake({ url: 'ws://x/', headers: [[name, 'x']] }),
      TypeError,
      /not allowed in HTTP\/2/,
    )
  }
  throwsKind(() => new H2ClientHandshake({ url: 'ws://x/', headers: [[':path', '/']] }), TypeError)
  throwsKind(() => new H2ClientHandshake({ url: 'ws://x/', headers: { x: 'a\r\nb' } }), TypeError)
  throwsKind(() => new H2ClientHandshake({ url: 'ws://x/', origin: 'a\nb' }), TypeError)
})

const response = suite('RFC 8441: the client checks the response')

const open = (fields: Fields, options: { protocols?: string[]; deflate?: boolean } = {}) => {
  const handshake = new H2ClientHandshake({
    url: 'wss://server.example.com/chat',
    protocols: options.protocols ?? ['chat', 'superchat'],
    extensions: options.deflate === false ? [] : [new PerMessageDeflate({ threshold: 0 })],
    randomFill: seededFill(3),
  })
  return handshake.receive(fields)
}

response('200 with a chosen subprotocol and permessage-deflate opens a working connection', () => {
  const result = open([
    [':status', '200'],
    ['sec-websocket-protocol', 'chat'],
    ['sec-websocket-extensions', 'permessage-deflate'],
    ['date', 'x'],
  ])
  if (result.kind !== 'open') throw new Error(result.error.message)
  assert.is(result.response.status, 200)
  assert.equal(result.response.headers, [
    ['sec-websocket-protocol', 'chat'],
    ['sec-websocket-extensions', 'permessage-deflate'],
    ['date', 'x'],
  ])
  const connection = result.connection
  assert.is(connection.protocol, 'chat')
  assert.is(connection.role, 'client')
  const text = 'hello hello hello hello over HTTP/2'
  connection.sendText(text)
  const frames = parseFrames(Buffer.concat(connection.takeOutgoing()))
  assert.is(frames.length, 1)
  assert.ok(frames[0].masked, 'a client masks its frames')
  assert.is(frames[0].rsv, 4, 'RSV1: the message is compressed')
  const inflated = inflateRawSync(Buffer.concat([frames[0].payload, Buffer.from([0, 0, 0xff, 0xff])]), {
    finishFlush: constants.Z_SYNC_FLUSH,
  })
  assert.is(inflated.toString('utf8'), text)
})

response('200 without subprotocol or extensions', () => {
  const result = open([[':status', '200']])
  if (result.kind !== 'open') throw new Error(result.error.message)
  assert.is(result.connection.protocol, '')
  assert.equal(result.connection.extensions.length, 0)
})

const failures: [string, Fields, string, RegExp][] = [
  [
    '101 is not a success in HTTP/2',
    [[':status', '101']],
    'WS_ERR_UNEXPECTED_STATUS',
    /expected status 200, got 101/,
  ],
  ['a 2xx other than 200', [[':status', '204']], 'WS_ERR_UNEXPECTED_STATUS', /got 204/],
  [
    'an error status',
    [
      [':status', '403'],
      ['content-type', 'text/plain'],
    ],
    'WS_ERR_UNEXPECTED_STATUS',
    /got 403/,
  ],
  ['no :status', [['sec-websocket-protocol', 'chat']], 'WS_ERR_INVALID_RESPONSE', /:status ''/],
  ['a :status that is not 3 digits', [[':status', '2000']], 'WS_ERR_INVALID_RESPONSE', /:status '2000'/],
  ['a :status that is not a number', [[':status', 'ok']], 'WS_ERR_INVALID_RESPONSE', /:status/],
  [
    'a request pseudo-header',
    [
      [':status', '200'],
      [':path', '/'],
    ],
    'WS_ERR_INVALID_RESPONSE',
    /:path is not allowed/,
  ],
  [
    'a repeated :status',
    [
      [':status', '200'],
      [':status', '200'],
    ],
    'WS_ERR_INVALID_RESPONSE',
    /repeated/,
  ],
  [
    'a pseudo-header after a regular field',
    [
      ['x', '1'],
      [':status', '200'],
    ],
    'WS_ERR_INVALID_RESPONSE',
    /after a regular field/,
  ],
  [
    'an upper-case name',
    [
      [':status', '200'],
      ['Sec-WebSocket-Protocol', 'chat'],
    ],
    'WS_ERR_INVALID_RESPONSE',
    /lower-case/,
  ],
  [
    'a connection-specific field',
    [
      [':status', '200'],
      ['connection', 'upgrade'],
    ],
    'WS_ERR_INVALID_RESPONSE',
    /connection-specific/,
  ],
  [
    'a value with a line break',
    [
      [':status', '200'],
      ['x', 'a\nb'],
    ],
    'WS_ERR_INVALID_RESPONSE',
    /NUL, CR or LF/,
  ],
  [
    'a value with surrounding space',
    [
      [':status', '200'],
      ['x', ' a'],
    ],
    'WS_ERR_INVALID_RESPONSE',
    /whitespace/,
  ],
  [
    'a subprotocol that was not offered',
    [
      [':status', '200'],
      ['sec-websocket-protocol', 'other'],
    ],
    'WS_ERR_UNREQUESTED_PROTOCOL',
    /'other'/,
  ],
  [
    'two subprotocols',
    [
      [':status', '200'],
      ['sec-websocket-protocol', 'chat, superchat'],
    ],
    'WS_ERR_INVALID_PROTOCOL',
    /exactly one/,
  ],
  [
    'the subprotocol field twice',
    [
      [':status', '200'],
      ['sec-websocket-protocol', 'chat'],
      ['sec-websocket-protocol', 'chat'],
    ],
    'WS_ERR_INVALID_PROTOCOL',
    /exactly one/,
  ],
  [
    'an extension that was not offered',
    [
      [':status', '200'],
      ['sec-websocket-extensions', 'x-other'],
    ],
    'WS_ERR_UNREQUESTED_EXTENSION',
    /x-other/,
  ],
  [
    'a malformed extensions field',
    [
      [':status', '200'],
      ['sec-websocket-extensions', 'permessage-deflate;;'],
    ],
    'WS_ERR_INVALID_EXTENSIONS',
    /malformed/,
  ],
  [
    'an extension twice',
    [
      [':status', '200'],
      ['sec-websocket-extensions', 'permessage-deflate, permessage-deflate'],
    ],
    'WS_ERR_DUPLICATE_EXTENSION',
    /twice/,
  ],
  [
    'bad permessage-deflate parameters',
    [
      [':status', '200'],
      ['sec-websocket-extensions', 'permessage-deflate; server_max_window_bits=7'],
    ],
    'WS_ERR_EXTENSION_REJECTED',
    /unacceptable/,
  ],
]

for (const [name, fields, code, message] of failures) {
  response(`fails: ${name}`, () => {
    const result = open(fields)
    assert.is(result.kind, 'failed')
    if (result.kind !== 'failed') return
    assert.is(result.error.code, code)
    assert.match(result.error.message, message)
  })
}

response('a refusal keeps the status and fields for the caller', () => {
  const result = open([
    [':status', '401'],
    ['www-authenticate', 'Basic realm="x"'],
  ])
  if (result.kind !== 'failed') throw new Error('expected a failure')
  assert.equal(result.error.response, {
    status: 401,
    statusText: '',
    headers: [['www-authenticate', 'Basic realm="x"']],
  })
  const negotiation = open([
    [':status', '200'],
    ['sec-websocket-protocol', 'nope'],
  ])
  if (negotiation.kind !== 'failed') throw new Error('expected a failure')
  assert.is(negotiation.error.response?.status, 200)
})

response('the response can be checked once', () => {
  const handshake = new H2ClientHandshake({ url: 'ws://x/' })
  assert.is(handshake.receive([[':status', '200']]).kind, 'open')
  throwsKind(() => handshake.receive([[':status', '200']]), InvalidStateError)
  const failed = new H2ClientHandshake({ url: 'ws://x/' })
  assert.is(failed.receive([[':status', '500']]).kind, 'failed')
  throwsKind(() => failed.receive([[':status', '200']]), InvalidStateError)
})

request.run()
response.run()
