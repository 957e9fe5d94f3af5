/**
 * Argument conversions and checks, in the Standard's order: the URL (scheme mapping, fragments,
 * relative URLs), subprotocols (tokens, case-insensitive duplicates), close() codes as
 * `[Clamp] unsigned short` then 1000 or 3000-4999, reasons as USVString of at most 123 UTF-8
 * bytes, binaryType as an enumeration, and send() while CONNECTING.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeConnection, fakeClasses, until } from './fake.ts'

const named = (name: string) => (error: Error) => error instanceof DOMException && error.name === name

const urls = suite('URL')
const { WebSocket, attempts } = fakeClasses()

urls('http: becomes ws:, https: becomes wss:, and url returns the serialized URL', async () => {
  const cases: [string, string][] = [
    ['http://127.0.0.1:8080/a?b=c', 'ws://127.0.0.1:8080/a?b=c'],
    ['https://example.com/', 'wss://example.com/'],
    ['HTTPS://Example.COM:443/x', 'wss://example.com/x'],
    ['ws://example.com', 'ws://example.com/'],
    ['wss://example.com:444/é?q=ü', 'wss://example.com:444/%C3%A9?q=%C3%BC'],
  ]
  for (const [input, expected] of cases) {
    const socket = new WebSocket(input)
    assert.is(socket.url, expected, input)
    socket.close()
  }
  // The connection attempt uses the same URL.
  const count = attempts.length
  const socket = new WebSocket('https://example.com:444/é?q=ü')
  await until(() => attempts.length > count)
  assert.is(attempts.at(-1)?.url, 'wss://example.com:444/%C3%A9?q=%C3%BC')
  socket.close()
})

/** A page has a location: there, relative URLs resolve and only absolute ones can fail. */
const hasLocation = (globalThis as { location?: unknown }).location !== undefined

urls('another scheme, a fragment (even an empty one) or an unparsable URL is a SyntaxError', () => {
  const inputs = ['ftp://example.com/', 'file:///x', 'ws://example.com/#', 'ws://example.com/#frag', 'ws://']
  if (!hasLocation) inputs.push('not a url', '')
  for (const input of inputs) {
    assert.throws(() => new WebSocket(input), named('SyntaxError'), input)
  }
})

urls('a relative URL resolves against globalThis.location when there is one, else is a SyntaxError', () => {
  if (hasLocation) {
    // A page: resolved against its own URL, with http(s) turned into ws(s).
    const expected = new URL(
      'sock?x=1',
      (globalThis as unknown as { location: { href: string } }).location.href,
    )
    expected.protocol = expected.protocol === 'https:' ? 'wss:' : 'ws:'
    const socket = new WebSocket('sock?x=1')
    assert.is(socket.url, expected.href)
    socket.close()
    return
  }
  assert.throws(() => new WebSocket('/path'), named('SyntaxError'))
  const global = globalThis as { location?: unknown }
  global.location = { href: 'https://example.org/dir/page.html' }
  try {
    const socket = new WebSocket('sock?x=1')
    assert.is(socket.url, 'wss://example.org/dir/sock?x=1')
    socket.close()
  } finally {
    delete global.location
  }
})

urls('a URL object is converted with its string form', () => {
  const socket = new WebSocket(new URL('ws://127.0.0.1:9/p'))
  assert.is(socket.url, 'ws://127.0.0.1:9/p')
  socket.close()
})

urls.run()

const protocols = suite('subprotocols')

protocols('a string or a sequence; each a token, offered in order', async () => {
  const count = attempts.length
  const a = new WebSocket('ws://127.0.0.1:1/', 'chat')
  const b = new WebSocket('ws://127.0.0.2:1/', ['v2.chat', 'v1'])
  const c = new WebSocket('ws://127.0.0.3:1/', new Set(['x']))
  const d = new WebSocket('ws://127.0.0.4:1/', { protocols: ['y', 'z'], headers: { 'x-a': '1' } })
  await until(() => attempts.length === count + 4)
  const seen = attempts.slice(-4).map((attempt) => [attempt.protocols, attempt.init])
  assert.equal(seen, [
    [['chat'], {}],
    [['v2.chat', 'v1'], {}],
    [['x'], {}],
    [['y', 'z'], { headers: { 'x-a': '1' } }],
  ])
  for (const socket of [a, b, c, d]) socket.close()
})

protocols('a non-token or a case-insensitive duplicate is a SyntaxError', () => {
  for (const value of [[''], ['a b'], ['a,b'], ['é'], ['chat', 'CHAT'], ['x', 'y', 'x'], '{}', 'a"']) {
    assert.throws(
      () => new WebSocket('ws://127.0.0.1:1/', value),
      named('SyntaxError'),
      JSON.stringify(value),
    )
  }
})

protocols('a Symbol in the sequence is a TypeError (DOMString conversion)', () => {
  assert.throws(() => new WebSocket('ws://127.0.0.1:1/', [Symbol('x') as unknown as string]), TypeError)
})

protocols.run()

const closing = suite('close() arguments')

/** A WebSocket whose (fake) connection opened, once `open` has fired. */
async function openSocket(): Promise<{ socket: InstanceType<typeof WebSocket>; connection: FakeConnection }> {
  const count = attempts.length
  const socket = new WebSocket('ws://127.0.0.1:1/')
  await until(() => attempts.length > count)
  const connection = new FakeConnection()
  attempts.at(-1)?.resolve(connection)
  await until(() => socket.readyState === WebSocket.OPEN)
  return { socket, connection }
}

closing('codes convert as [Clamp] unsigned short before the 1000/3000-4999 check', async () => {
  const invalid = [
    1000.9,
    Number.NaN,
    null,
    65536 + 1000,
    -1,
    0,
    1001,
    2999,
    5000,
    '1001',
    true,
    Infinity,
    -Infinity,
  ]
  const { socket, connection } = await openSocket()
  for (const code of invalid) {
    assert.throws(() => socket.close(code as number), named('InvalidAccessError'), String(code))
  }
  assert.is(socket.readyState, WebSocket.OPEN)
  // '3000' converts to 3000; 3000.5 rounds half to even (3000); 999.5 would be 1000.
  socket.close('3000' as unknown as number)
  assert.equal(connection.sent, [{ close: [3000] }])
  for (const [code, sent] of [
    // 4999.5 rounds half to even: 5000, out of range.
    [4999.5, 'invalid'],
    [999.5, 1000],
    [3000.5, 3000],
  ] as const) {
    const other = await openSocket()
    if (sent === 'invalid') {
      assert.throws(() => other.socket.close(code), named('InvalidAccessError'))
    } else {
      other.socket.close(code)
      assert.equal(other.connection.sent, [{ close: [sent] }], String(code))
    }
    other.socket.close()
  }
})

closing('the code is checked before the state: even while CONNECTING or CLOSED', () => {
  const socket = new WebSocket('ws://127.0.0.1:1/')
  assert.throws(() => socket.close(1001), named('InvalidAccessError'))
  assert.is(socket.readyState, WebSocket.CONNECTING)
  socket.close()
  assert.throws(() => socket.close(2000), named('InvalidAccessError'))
  assert.throws(() => socket.close(1000, 'x'.repeat(124)), named('SyntaxError'))
})

closing('reasons are USVStrings of at most 123 UTF-8 bytes; the code is checked first', async () => {
  const { socket, connection } = await openSocket()
  assert.throws(() => socket.close(1000, 'x'.repeat(124)), named('SyntaxError'))
  // 41 lone surrogates become 41 U+FFFD: 123 bytes, accepted; 42: 126 bytes, refused.
  assert.throws(() => socket.close(1000, '\ud800'.repeat(42)), named('SyntaxError'))
  // 62 two-byte characters: 124 bytes.
  assert.throws(() => socket.close(1000, 'é'.repeat(62)), named('SyntaxError'))
  assert.throws(() => socket.close(1, 'x'.repeat(124)), named('InvalidAccessError'))
  socket.close(1000, '\ud800'.repeat(41))
  assert.equal(connection.sent, [{ close: [1000, '\ufffd'.repeat(41)] }])
})

closing('no arguments sends a close frame without a body; a reason alone is sent with 1000', async () => {
  const a = await openSocket()
  const b = await openSocket()
  a.socket.close()
  b.socket.close(undefined, 'bye')
  assert.equal(a.connection.sent, [{ close: [] }])
  assert.equal(b.connection.sent, [{ close: [1000, 'bye'] }])
  // A second close() does nothing.
  a.socket.close(3000)
  assert.equal(a.connection.sent, [{ close: [] }])
})

closing.run()

const others = suite('binaryType and send() arguments')

others('binaryType is "blob" first; only "blob" and "arraybuffer" are taken, others ignored', () => {
  const socket = new WebSocket('ws://127.0.0.1:1/')
  assert.is(socket.binaryType, 'blob')
  socket.binaryType = 'arraybuffer'
  assert.is(socket.binaryType, 'arraybuffer')
  for (const value of ['Blob', 'ARRAYBUFFER', '', 'text', null, 1]) {
    socket.binaryType = value as 'blob'
    assert.is(socket.binaryType, 'arraybuffer')
  }
  socket.binaryType = { toString: () => 'blob' } as unknown as 'blob'
  assert.is(socket.binaryType, 'blob')
  socket.close()
})

others('send() while CONNECTING is an InvalidStateError, after converting its argument', () => {
  const socket = new WebSocket('ws://127.0.0.1:1/')
  assert.throws(() => socket.send('x'), named('InvalidStateError'))
  assert.throws(() => socket.send(new Uint8Array(1)), named('InvalidStateError'))
  // A Symbol fails the USVString conversion first: TypeError.
  assert.throws(() => socket.send(Symbol('x') as unknown as string), TypeError)
  // Shared memory is not a BufferSource (a page that is not cross-origin isolated has none).
  if (typeof SharedArrayBuffer === 'function') {
    assert.throws(() => socket.send(new SharedArrayBuffer(4) as never), TypeError)
    assert.throws(() => socket.send(new Uint8Array(new SharedArrayBuffer(4))), TypeError)
  }
  assert.is(socket.bufferedAmount, 0)
  socket.close()
})

others.run()
