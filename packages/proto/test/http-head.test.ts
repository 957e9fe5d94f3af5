import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import {
  DEFAULT_HTTP_HEAD_LIMITS,
  HeaderList,
  HttpHeadError,
  type HttpHeadErrorCode,
  type HttpHeadLimits,
  HttpHeadParser,
  MAX_LEADING_EMPTY_LINES,
  parseRequestLine,
  parseStatusLine,
} from '../src/handshake/http-head.ts'

/** Each character of `text` (U+0000-U+00FF) as one byte. */
const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (character) => character.charCodeAt(0))

const concat = (pieces: readonly Uint8Array[]): Uint8Array => {
  const joined = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0))
  let offset = 0
  for (const piece of pieces) {
    joined.set(piece, offset)
    offset += piece.length
  }
  return joined
}

/** What a parse produced, in a form deep equality can compare across chunkings. */
type Outcome =
  | { startLine: string; entries: [string, string][]; rest: number[]; bytes: number }
  | { error: HttpHeadErrorCode }
  | { incomplete: true }

/** Feeds `pieces` in order; the rest is the tail of the finishing piece plus every later piece. */
function run(pieces: readonly Uint8Array[], limits?: Partial<HttpHeadLimits>): Outcome {
  const parser = new HttpHeadParser(limits)
  for (let index = 0; index < pieces.length; index++) {
    let result: ReturnType<HttpHeadParser['push']>
    try {
      result = parser.push(pieces[index])
    } catch (error) {
      assert.instance(error, HttpHeadError)
      return { error: (error as HttpHeadError).code }
    }
    if (result.done) {
      return {
        startLine: result.startLine,
        entries: result.headers.entries.map(([name, value]) => [name, value]),
        rest: Array.from(concat([result.rest, ...pieces.slice(index + 1)])),
        bytes: parser.bytesBuffered,
      }
    }
  }
  return { incomplete: true }
}

const whole = (input: Uint8Array, limits?: Partial<HttpHeadLimits>): Outcome => run([input], limits)

function byteByByte(input: Uint8Array, limits?: Partial<HttpHeadLimits>): Outcome {
  const pieces: Uint8Array[] = []
  for (let index = 0; index < input.length; index++) pieces.push(input.subarray(index, index + 1))
  return run(pieces, limits)
}

/** The input must fail with `code` whole, byte by byte and (when short) with every two-way cut. */
function expectError(text: string, code: HttpHeadErrorCode, limits?: Partial<HttpHeadLimits>): void {
  const input = latin1(text)
  assert.equal(whole(input, limits), { error: code }, `whole: ${JSON.stringify(text)}`)
  assert.equal(byteByByte(input, limits), { error: code }, `byte by byte: ${JSON.stringify(text)}`)
  for (let cut = 0; input.length <= 512 && cut <= input.length; cut++) {
    const outcome = run([input.subarray(0, cut), input.subarray(cut)], limits)
    assert.equal(outcome, { error: code }, `cut at ${cut}: ${JSON.stringify(text)}`)
  }
}

/** Pushes the whole input and returns the error, which must be an HttpHeadError with `code`. */
function errorOf(text: string, code: HttpHeadErrorCode, limits?: Partial<HttpHeadLimits>): HttpHeadError {
  const parser = new HttpHeadParser(limits)
  try {
    parser.push(latin1(text))
  } catch (error) {
    assert.instance(error, HttpHeadError)
    const e = error as HttpHeadError
    assert.is(e.code, code)
    assert.is(e.name, 'HttpHeadError')
    return e
  }
  return assert.unreachable(`${JSON.stringify(text)} was accepted`) as never
}

function parseHead(text: string | Uint8Array, limits?: Partial<HttpHeadLimits>) {
  const result = new HttpHeadParser(limits).push(typeof text === 'string' ? latin1(text) : text)
  if (!result.done) return assert.unreachable('head incomplete') as never
  return result
}

const RFC_REQUEST = [
  'GET /chat HTTP/1.1',
  'Host: server.example.com',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Origin: http://example.com',
  'Sec-WebSocket-Protocol: chat, superchat',
  'Sec-WebSocket-Version: 13',
  '',
  '',
].join('\r\n')

const RFC_RESPONSE = [
  'HTTP/1.1 101 Switching Protocols',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
  'Sec-WebSocket-Protocol: chat',
  '',
  '',
].join('\r\n')

/** A masked text frame "Hello" (RFC 6455 section 5.7), as bytes that follow a head. */
const FRAME = Uint8Array.from([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58])

test('RFC 6455 section 1.2 client request head parses exactly', () => {
  const result = parseHead(RFC_REQUEST)
  assert.is(result.startLine, 'GET /chat HTTP/1.1')
  assert.equal(
    result.headers.entries.map(([name, value]) => [name, value]),
    [
      ['Host', 'server.example.com'],
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
      ['Origin', 'http://example.com'],
      ['Sec-WebSocket-Protocol', 'chat, superchat'],
      ['Sec-WebSocket-Version', '13'],
    ],
  )
  assert.is(result.headers.get('sec-websocket-key'), 'dGhlIHNhbXBsZSBub25jZQ==')
  assert.is(result.headers.get('HOST'), 'server.example.com')
  assert.is(result.rest.length, 0)
  assert.equal(parseRequestLine(result.startLine), {
    method: 'GET',
    target: '/chat',
    versionMajor: 1,
    versionMinor: 1,
  })
})

test('RFC 6455 section 1.2 server response head parses exactly', () => {
  const result = parseHead(RFC_RESPONSE)
  assert.is(result.startLine, 'HTTP/1.1 101 Switching Protocols')
  assert.equal(
    result.headers.entries.map(([name, value]) => [name, value]),
    [
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
      ['Sec-WebSocket-Protocol', 'chat'],
    ],
  )
  assert.is(result.headers.get('sec-websocket-accept'), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
  assert.equal(parseStatusLine(result.startLine), {
    versionMajor: 1,
    versionMinor: 1,
    status: 101,
    reason: 'Switching Protocols',
  })
})

test('RFC 6455 section 1.3: repeated fields are kept in order and joined with ", " by get()', () => {
  const result = parseHead(
    'GET /chat HTTP/1.1\r\nSec-WebSocket-Protocol: chat\r\nHost: h\r\nsec-websocket-PROTOCOL: superchat\r\n\r\n',
  )
  const headers = result.headers
  assert.is(headers.get('Sec-WebSocket-Protocol'), 'chat, superchat')
  assert.equal(headers.getAll('sec-websocket-protocol'), ['chat', 'superchat'])
  assert.is(headers.count('SEC-WEBSOCKET-PROTOCOL'), 2)
  assert.is(headers.count('Host'), 1)
  assert.is(headers.count('Origin'), 0)
  assert.ok(headers.has('host'))
  assert.not.ok(headers.has('origin'))
  assert.is(headers.get('origin'), undefined)
  assert.equal(headers.getAll('origin'), [])
  assert.equal(
    headers.entries.map(([name]) => name),
    ['Sec-WebSocket-Protocol', 'Host', 'sec-websocket-PROTOCOL'],
  )
})

test('rest holds exactly the bytes after the blank line, as a view of the chunk', () => {
  const chunk = concat([latin1(RFC_REQUEST), FRAME])
  const result = parseHead(chunk)
  assert.equal(Array.from(result.rest), Array.from(FRAME))
  assert.is(result.rest.buffer, chunk.buffer)
  assert.is(result.rest.byteOffset, chunk.byteOffset + RFC_REQUEST.length)
})

test('rest is empty when the chunk ends with the blank line', () => {
  const result = parseHead(RFC_RESPONSE)
  assert.instance(result.rest, Uint8Array)
  assert.is(result.rest.length, 0)
})

test('rest is right when the blank line is split across chunks', () => {
  const head = latin1(RFC_REQUEST)
  for (const split of [1, 2, 3, 4]) {
    const parser = new HttpHeadParser()
    assert.equal(parser.push(head.subarray(0, head.length - split)), { done: false })
    const last = concat([head.subarray(head.length - split), FRAME])
    const result = parser.push(last)
    assert.ok(result.done)
    if (result.done) {
      assert.equal(Array.from(result.rest), Array.from(FRAME), `split ${split}`)
      assert.is(result.rest.byteOffset, split)
    }
  }
})

test('rest is right when the head ends in the middle of a later chunk', () => {
  const head = latin1(RFC_RESPONSE)
  const parser = new HttpHeadParser()
  assert.equal(parser.push(head.subarray(0, 10)), { done: false })
  const result = parser.push(concat([head.subarray(10), FRAME, FRAME]))
  assert.ok(result.done)
  if (result.done) assert.equal(Array.from(result.rest), [...FRAME, ...FRAME])
})

test('bytesBuffered counts the head bytes taken so far, not the rest', () => {
  const parser = new HttpHeadParser()
  assert.is(parser.bytesBuffered, 0)
  parser.push(latin1('GET / HTTP/1.1\r\nHo'))
  assert.is(parser.bytesBuffered, 18)
  parser.push(concat([latin1('st: a\r\n\r\n'), FRAME]))
  assert.is(parser.bytesBuffered, 27)
})

test('an empty chunk changes nothing', () => {
  const parser = new HttpHeadParser()
  assert.equal(parser.push(new Uint8Array(0)), { done: false })
  parser.push(latin1('GET / HTTP/1.1\r\n'))
  assert.equal(parser.push(new Uint8Array(0)), { done: false })
  const result = parser.push(latin1('\r\n'))
  assert.ok(result.done)
})

const CHUNKING_INPUTS: [string, Uint8Array][] = [
  ['RFC request with a frame after it', concat([latin1(RFC_REQUEST), FRAME])],
  ['RFC response with two frames after it', concat([latin1(RFC_RESPONSE), FRAME, FRAME])],
  [
    'bare LFs, empty values, OWS and obs-text',
    latin1('\r\n\nGET /x HTTP/1.1\nA:\r\nB: \t \nC:\tv\tw\t\r\nD: \xe9t\xe9\n\nrest'),
  ],
  ['a bare CR', latin1('GET / HTTP/1.1\r\nA: b\rc\r\n\r\n')],
  ['obs-fold', latin1('GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n')],
  ['NUL in a value', latin1('GET / HTTP/1.1\r\nA: b\x00c\r\n\r\n')],
  ['an incomplete head', latin1('GET / HTTP/1.1\r\nA: b\r\n')],
]

test('every two-way cut gives the same outcome as the whole input', () => {
  for (const [name, input] of CHUNKING_INPUTS) {
    const expected = whole(input)
    for (let cut = 0; cut <= input.length; cut++) {
      assert.equal(run([input.subarray(0, cut), input.subarray(cut)]), expected, `${name}, cut at ${cut}`)
    }
  }
})

test('byte by byte and random chunkings over many seeds give the same outcome as the whole input', () => {
  for (const [name, input] of CHUNKING_INPUTS) {
    const expected = whole(input)
    assert.equal(byteByByte(input), expected, `${name}, byte by byte`)
    for (let seed = 1; seed <= 300; seed++) {
      const random = new Random(seed)
      const pieces = random.chunks(input, 1 + random.below(40))
      assert.equal(run(pieces), expected, `${name}, seed ${seed}`)
    }
  }
})

test('the whole-input outcomes of the chunking inputs are what they should be', () => {
  assert.equal(whole(CHUNKING_INPUTS[2][1]), {
    startLine: 'GET /x HTTP/1.1',
    entries: [
      ['A', ''],
      ['B', ''],
      ['C', 'v\tw'],
      ['D', '\xe9t\xe9'],
    ],
    rest: Array.from(latin1('rest')),
    bytes: 46,
  })
  assert.equal(whole(CHUNKING_INPUTS[3][1]), { error: 'BARE_CR' })
  assert.equal(whole(CHUNKING_INPUTS[4][1]), { error: 'OBSOLETE_LINE_FOLDING' })
  assert.equal(whole(CHUNKING_INPUTS[5][1]), { error: 'INVALID_HEADER_VALUE' })
  assert.equal(whole(CHUNKING_INPUTS[6][1]), { incomplete: true })
})

test('a bare LF ends a line, and a CR right before LF is stripped', () => {
  const result = parseHead('GET / HTTP/1.1\nHost: a\r\nX: b\n\n')
  assert.is(result.startLine, 'GET / HTTP/1.1')
  assert.equal(result.headers.entries, [
    ['Host', 'a'],
    ['X', 'b'],
  ])
  assert.is(parseHead('HTTP/1.1 101 OK\r\n\n').startLine, 'HTTP/1.1 101 OK')
})

test('a CR not followed by LF is rejected with BARE_CR, wherever it is', () => {
  expectError('GET /\r HTTP/1.1\r\n\r\n', 'BARE_CR')
  expectError('GET / HTTP/1.1\rHost: a\r\n\r\n', 'BARE_CR')
  expectError('GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n', 'BARE_CR')
  expectError('GET / HTTP/1.1\r\nHost: a\r\r\n\r\n', 'BARE_CR')
  expectError('GET / HTTP/1.1\r\n\r\r\n', 'BARE_CR')
  assert.match(errorOf('GET / HTTP/1.1\r\nA: \rb', 'BARE_CR').message, 'CR not followed by LF')
})

test('obsolete line folding (a header line starting with SP or HTAB) is rejected', () => {
  expectError('GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n', 'OBSOLETE_LINE_FOLDING')
  expectError('GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n', 'OBSOLETE_LINE_FOLDING')
  expectError('GET / HTTP/1.1\r\n A: b\r\n\r\n', 'OBSOLETE_LINE_FOLDING')
  assert.match(errorOf('GET / HTTP/1.1\r\n x', 'OBSOLETE_LINE_FOLDING').message, 'obsolete line folding')
})

test('up to MAX_LEADING_EMPTY_LINES empty lines before the start line are ignored, one more is rejected', () => {
  assert.is(MAX_LEADING_EMPTY_LINES, 4)
  const empties = '\r\n\n\r\n\n'
  const result = parseHead(`${empties}GET / HTTP/1.1\r\n\r\n`)
  assert.is(result.startLine, 'GET / HTTP/1.1')
  expectError(`${empties}\r\nGET / HTTP/1.1\r\n\r\n`, 'EMPTY_START_LINE')
  assert.match(errorOf('\n\n\n\n\n', 'EMPTY_START_LINE').message, 'more than 4 empty lines')
})

test('leading empty lines count toward maxHeadBytes', () => {
  const head = '\r\n\r\nGET / HTTP/1.1\r\n\r\n'
  assert.ok(parseHead(head, { maxHeadBytes: head.length }).done)
  expectError(head, 'HEAD_TOO_LARGE', { maxHeadBytes: head.length - 1 })
})

test('field names are tokens: every tchar is accepted and the name is kept as written', () => {
  const result = parseHead("GET / HTTP/1.1\r\n!#$%&'*+-.^_`|~09AZaz: v\r\n\r\n")
  assert.equal(result.headers.entries, [["!#$%&'*+-.^_`|~09AZaz", 'v']])
})

test('whitespace before the colon is MALFORMED_HEADER_LINE', () => {
  expectError('GET / HTTP/1.1\r\nHost : a\r\n\r\n', 'MALFORMED_HEADER_LINE')
  expectError('GET / HTTP/1.1\r\nHost\t: a\r\n\r\n', 'MALFORMED_HEADER_LINE')
  expectError('GET / HTTP/1.1\r\nX Y: a\r\n\r\n', 'MALFORMED_HEADER_LINE')
  assert.match(errorOf('GET / HTTP/1.1\r\nHost : a\r\n', 'MALFORMED_HEADER_LINE').message, 'whitespace')
})

test('a header line without a colon is MALFORMED_HEADER_LINE', () => {
  expectError('GET / HTTP/1.1\r\nHost\r\n\r\n', 'MALFORMED_HEADER_LINE')
  assert.match(errorOf('GET / HTTP/1.1\r\nHost\r\n', 'MALFORMED_HEADER_LINE').message, 'no colon')
})

test('an empty or non-token field name is INVALID_HEADER_NAME', () => {
  expectError('GET / HTTP/1.1\r\n: a\r\n\r\n', 'INVALID_HEADER_NAME')
  expectError('GET / HTTP/1.1\r\nHo(st: a\r\n\r\n', 'INVALID_HEADER_NAME')
  expectError('GET / HTTP/1.1\r\nH\xf6st: a\r\n\r\n', 'INVALID_HEADER_NAME')
  expectError('GET / HTTP/1.1\r\nHo\x00st: a\r\n\r\n', 'INVALID_HEADER_NAME')
  expectError('GET / HTTP/1.1\r\n"Host": a\r\n\r\n', 'INVALID_HEADER_NAME')
  assert.match(errorOf('GET / HTTP/1.1\r\n: a\r\n', 'INVALID_HEADER_NAME').message, 'empty field name')
  assert.match(errorOf('GET / HTTP/1.1\r\nHo(st: a\r\n', 'INVALID_HEADER_NAME').message, 'byte 0x28')
})

test('field values: OWS trimmed, HTAB/SP/VCHAR/obs-text kept, bytes mapped 1:1 to characters', () => {
  const result = parseHead('GET / HTTP/1.1\r\nA:  \t x \t y\t \r\nB:\r\nC:   \r\nD:\x80\xff\x7e\x21\r\n\r\n')
  assert.equal(result.headers.entries, [
    ['A', 'x \t y'],
    ['B', ''],
    ['C', ''],
    ['D', '\x80\xff~!'],
  ])
})

test('NUL, other controls and DEL in a field value are INVALID_HEADER_VALUE', () => {
  for (const byte of [0x00, 0x01, 0x08, 0x0b, 0x0c, 0x1f, 0x7f]) {
    const character = String.fromCharCode(byte)
    expectError(`GET / HTTP/1.1\r\nA: x${character}y\r\n\r\n`, 'INVALID_HEADER_VALUE')
    expectError(`GET / HTTP/1.1\r\nA: ${character}\r\n\r\n`, 'INVALID_HEADER_VALUE')
  }
  const error = errorOf('GET / HTTP/1.1\r\nX-Thing: a\x00\r\n', 'INVALID_HEADER_VALUE')
  assert.is(error.message, 'byte 0x00 is not allowed in the value of "X-Thing"')
})

test('error messages quote long field names shortened', () => {
  const name = 'N'.repeat(100)
  const error = errorOf(`GET / HTTP/1.1\r\n${name}: \x7f\r\n`, 'INVALID_HEADER_VALUE')
  assert.is(error.message, `byte 0x7f is not allowed in the value of "${'N'.repeat(64)}..."`)
})

test('the start line is returned as received, unvalidated', () => {
  assert.is(parseHead('\x00 whatever \xff\r\n\r\n').startLine, '\x00 whatever \xff')
  assert.is(parseHead(' GET / HTTP/1.1\r\n\r\n').startLine, ' GET / HTTP/1.1')
})

test('the default limits are 8192 bytes a line, 100 headers and 16384 bytes a head', () => {
  assert.equal({ ...DEFAULT_HTTP_HEAD_LIMITS }, { maxLineBytes: 8192, maxHeaders: 100, maxHeadBytes: 16384 })
  assert.ok(Object.isFrozen(DEFAULT_HTTP_HEAD_LIMITS))
  const atLimit = `X: ${'v'.repeat(8189)}`
  assert.is(parseHead(`GET / HTTP/1.1\r\n${atLimit}\r\n\r\n`).headers.get('x')?.length, 8189)
  expectError(`GET / HTTP/1.1\r\n${atLimit}v\r\n\r\n`, 'LINE_TOO_LONG')
})

test('maxLineBytes: a line of exactly the limit passes, one byte more is LINE_TOO_LONG', () => {
  const limits = { maxLineBytes: 20 }
  const startLine = 'GET /0123456 HTTP/1.1'.slice(0, 20)
  assert.is(startLine.length, 20)
  assert.is(parseHead(`${startLine}\r\n\r\n`, limits).startLine, startLine)
  expectError(`${startLine}x\r\n\r\n`, 'LINE_TOO_LONG', limits)
  const header = 'X: 0123456789abcdefg'
  assert.is(header.length, 20)
  assert.is(parseHead(`GET / HTTP/1.1\r\n${header}\r\n\r\n`, limits).headers.get('x'), '0123456789abcdefg')
  expectError(`GET / HTTP/1.1\r\n${header}h\r\n\r\n`, 'LINE_TOO_LONG', limits)
  // The line end is not counted: CRLF and a bare LF right after 20 bytes both pass.
  assert.ok(parseHead(`${startLine}\n\n`, limits).done)
  assert.is(
    errorOf(`${startLine}x`, 'LINE_TOO_LONG', limits).message,
    'line of the HTTP head is longer than 20 bytes',
  )
})

test('LINE_TOO_LONG fails as soon as the line is over, before any line end arrives', () => {
  const parser = new HttpHeadParser({ maxLineBytes: 14 })
  assert.equal(parser.push(latin1('GET / HTTP/1.1\r\nX: 0123456789a')), { done: false })
  try {
    parser.push(latin1('a'))
    assert.unreachable('accepted')
  } catch (error) {
    assert.is((error as HttpHeadError).code, 'LINE_TOO_LONG')
  }
})

test('maxLineBytes of 0 accepts only a head of empty lines, and Infinity lifts the limit', () => {
  expectError('G', 'LINE_TOO_LONG', { maxLineBytes: 0 })
  const long = `X: ${'v'.repeat(100_000)}`
  const limits = { maxLineBytes: Infinity, maxHeadBytes: Infinity }
  assert.is(parseHead(`GET / HTTP/1.1\r\n${long}\r\n\r\n`, limits).headers.get('X')?.length, 100_000)
})

test('maxHeadBytes: a head of exactly the limit passes, one byte more is HEAD_TOO_LARGE', () => {
  const head = 'GET / HTTP/1.1\r\nHost: example.com\r\nX: 1\r\n\r\n'
  const limits = { maxHeadBytes: head.length }
  const result = parseHead(concat([latin1(head), FRAME]), limits)
  assert.equal(Array.from(result.rest), Array.from(FRAME))
  expectError(head.replace('X: 1', 'X: 12'), 'HEAD_TOO_LARGE', limits)
  expectError(head, 'HEAD_TOO_LARGE', { maxHeadBytes: head.length - 1 })
  assert.is(
    errorOf(head, 'HEAD_TOO_LARGE', { maxHeadBytes: 10 }).message,
    'HTTP head is larger than 10 bytes',
  )
})

test('HEAD_TOO_LARGE fails as soon as the head is over, in the middle of a line', () => {
  const parser = new HttpHeadParser({ maxHeadBytes: 20 })
  assert.equal(parser.push(latin1('GET / HTTP/1.1\r\nX: a')), { done: false })
  assert.throws(
    () => parser.push(latin1('b')),
    (error: HttpHeadError) => error.code === 'HEAD_TOO_LARGE',
  )
})

test('the default maxHeadBytes allows a 16384-byte head and rejects one byte more', () => {
  const filler = (length: number) => `X: ${'v'.repeat(length - 3)}`
  // 16 + 2 + (8192 + 2) + (L + 2) + 2 bytes in all.
  const headLength = (last: number) => 16 + 8194 + last + 2 + 2
  const last = 16384 - headLength(0)
  const head = `GET / HTTP/1.1\r\n${filler(8192)}\r\n${filler(last)}\r\n\r\n`
  assert.is(head.length, 16384)
  assert.ok(parseHead(head).done)
  expectError(`GET / HTTP/1.1\r\n${filler(8192)}\r\n${filler(last + 1)}\r\n\r\n`, 'HEAD_TOO_LARGE')
})

test('maxHeaders: exactly the limit passes, one header more is TOO_MANY_HEADERS', () => {
  const fields = (count: number) =>
    Array.from({ length: count }, (_, index) => `H${index}: ${index}\r\n`).join('')
  assert.is(parseHead(`GET / HTTP/1.1\r\n${fields(3)}\r\n`, { maxHeaders: 3 }).headers.entries.length, 3)
  expectError(`GET / HTTP/1.1\r\n${fields(4)}\r\n`, 'TOO_MANY_HEADERS', { maxHeaders: 3 })
  assert.is(parseHead(`GET / HTTP/1.1\r\n${fields(100)}\r\n`).headers.entries.length, 100)
  expectError(`GET / HTTP/1.1\r\n${fields(101)}\r\n`, 'TOO_MANY_HEADERS')
  assert.ok(parseHead('GET / HTTP/1.1\r\n\r\n', { maxHeaders: 0 }).done)
  expectError('GET / HTTP/1.1\r\nA: b\r\n\r\n', 'TOO_MANY_HEADERS', { maxHeaders: 0 })
  assert.is(
    errorOf(`GET / HTTP/1.1\r\n${fields(4)}`, 'TOO_MANY_HEADERS', { maxHeaders: 3 }).message,
    'more than 3 header fields',
  )
})

test('TOO_MANY_HEADERS fails at the first byte of the extra header line', () => {
  const parser = new HttpHeadParser({ maxHeaders: 1 })
  assert.equal(parser.push(latin1('GET / HTTP/1.1\r\nA: b\r\n')), { done: false })
  assert.throws(
    () => parser.push(latin1('B')),
    (error: HttpHeadError) => error.code === 'TOO_MANY_HEADERS',
  )
})

test('invalid limits are a RangeError', () => {
  for (const value of [-1, 1.5, Number.NaN, '10', null]) {
    assert.throws(
      () => new HttpHeadParser({ maxHeaders: value as number }),
      (error: Error) => error instanceof RangeError && error.message.startsWith('limits.maxHeaders must be'),
    )
  }
  assert.ok(new HttpHeadParser({ maxHeaders: undefined as unknown as number }))
  assert.ok(new HttpHeadParser({ maxHeadBytes: Infinity }))
})

test('push after done or after an error throws a plain Error (misuse)', () => {
  const done = new HttpHeadParser()
  assert.ok(done.push(latin1(RFC_RESPONSE)).done)
  assert.throws(
    () => done.push(FRAME),
    (error: Error) => !(error instanceof HttpHeadError) && /after the head was complete/.test(error.message),
  )
  const failed = new HttpHeadParser()
  assert.throws(() => failed.push(latin1('GET / HTTP/1.1\r\n\x01\r\n')))
  assert.throws(
    () => failed.push(latin1('\r\n')),
    (error: Error) => !(error instanceof HttpHeadError) && /after the head was rejected/.test(error.message),
  )
})

test('linear time: a maximal head fed one byte at a time completes', () => {
  const line = `X: ${'v'.repeat(8189)}`
  const head = latin1(`GET / HTTP/1.1\r\n${line}\r\n${line.slice(0, 8192 - 24)}\r\n\r\n`)
  assert.ok(head.length <= 16384)
  const outcome = byteByByte(head)
  assert.ok('startLine' in outcome)
})

test('linear time: a 1 MiB header fed one byte at a time with no limits completes', () => {
  const limits = { maxLineBytes: Infinity, maxHeadBytes: Infinity }
  const head = latin1(`GET / HTTP/1.1\r\nX: ${'v'.repeat(1 << 20)}\r\n\r\n`)
  const parser = new HttpHeadParser(limits)
  let result = parser.push(head.subarray(0, 0))
  for (let index = 0; index < head.length; index++) result = parser.push(head.subarray(index, index + 1))
  assert.ok(result.done)
  if (result.done) assert.is(result.headers.get('x')?.length, 1 << 20)
})

test('linear time: an over-long incomplete line fed byte by byte fails at the limit', () => {
  const parser = new HttpHeadParser()
  const byte = latin1('a')
  let fed = 0
  try {
    for (; fed < 1_000_000; fed++) parser.push(byte)
  } catch (error) {
    assert.is((error as HttpHeadError).code, 'LINE_TOO_LONG')
  }
  assert.is(fed, 8192)
})

test('HeaderList: built from entries, case-insensitive, frozen, names like __proto__ are ordinary', () => {
  const headers = new HeaderList([
    ['__proto__', 'a'],
    ['constructor', 'b'],
    ['Constructor', 'c'],
    ['toString', 'd'],
    ['hasOwnProperty', 'e'],
  ])
  assert.is(headers.get('__PROTO__'), 'a')
  assert.is(headers.get('constructor'), 'b, c')
  assert.equal(headers.getAll('CONSTRUCTOR'), ['b', 'c'])
  assert.is(headers.get('tostring'), 'd')
  assert.is(headers.count('hasownproperty'), 1)
  assert.not.ok(headers.has('valueOf'))
  assert.is(headers.get('valueOf'), undefined)
  assert.is(headers.count('valueOf'), 0)
  assert.ok(Object.isFrozen(headers.entries))
  assert.ok(Object.isFrozen(headers.entries[0]))
  const all = headers.getAll('constructor')
  all.push('mutated')
  assert.equal(headers.getAll('constructor'), ['b', 'c'])
  assert.equal(new HeaderList().entries, [])
  assert.is(new HeaderList().get('x'), undefined)
})

test('HeaderList from a parsed head with hostile names', () => {
  const result = parseHead('GET / HTTP/1.1\r\n__proto__: x\r\nconstructor: y\r\nhasOwnProperty: z\r\n\r\n')
  assert.is(result.headers.get('__proto__'), 'x')
  assert.is(result.headers.get('Constructor'), 'y')
  assert.is(result.headers.get('hasownproperty'), 'z')
  assert.is(result.headers.get('toString'), undefined)
})

test('parseRequestLine: method, target and version of valid request lines', () => {
  assert.equal(parseRequestLine('GET /chat?x=1 HTTP/1.1'), {
    method: 'GET',
    target: '/chat?x=1',
    versionMajor: 1,
    versionMinor: 1,
  })
  assert.equal(parseRequestLine('OPTIONS * HTTP/1.0'), {
    method: 'OPTIONS',
    target: '*',
    versionMajor: 1,
    versionMinor: 0,
  })
  assert.equal(parseRequestLine('get http://a.example/b HTTP/2.9'), {
    method: 'get',
    target: 'http://a.example/b',
    versionMajor: 2,
    versionMinor: 9,
  })
  assert.is(parseRequestLine('GET /\x80\xff HTTP/1.1').target, '/\x80\xff')
  assert.is(parseRequestLine("!#$%&'*+-.^_`|~ / HTTP/1.1").method, "!#$%&'*+-.^_`|~")
})

test('parseRequestLine: anything else is MALFORMED_START_LINE', () => {
  const bad = [
    '',
    'GET',
    'GET ',
    'GET /chat',
    'GET /chat ',
    ' GET /chat HTTP/1.1',
    'GET  /chat HTTP/1.1',
    'GET /chat  HTTP/1.1',
    'GET /chat HTTP/1.1 ',
    'GET /chat HTTP/1.1x',
    'GET /chat HTTP/1.',
    'GET /chat HTTP/11',
    'GET /chat HTTP/1,1',
    'GET /chat HTTP/x.1',
    'GET /chat HTTP/1.x',
    'GET /chat http/1.1',
    'GET /chat HTTPS/1.1',
    'GET /ch\tat HTTP/1.1',
    'GET /ch\x00at HTTP/1.1',
    'GET /\x7f HTTP/1.1',
    'GET /\u0100 HTTP/1.1',
    'G(T / HTTP/1.1',
    'GET\t/ HTTP/1.1',
  ]
  for (const line of bad) {
    assert.throws(
      () => parseRequestLine(line),
      (error: HttpHeadError) =>
        error instanceof HttpHeadError &&
        error.code === 'MALFORMED_START_LINE' &&
        error.message === `malformed request line ${JSON.stringify(line)}`,
      JSON.stringify(line),
    )
  }
  assert.throws(
    () => parseRequestLine(`GET /${'a'.repeat(100)}`),
    (error: HttpHeadError) => error.message.endsWith('aaaa..."'),
  )
})

test('parseStatusLine: version, status and reason of valid status lines', () => {
  assert.equal(parseStatusLine('HTTP/1.1 101 Switching Protocols'), {
    versionMajor: 1,
    versionMinor: 1,
    status: 101,
    reason: 'Switching Protocols',
  })
  assert.equal(parseStatusLine('HTTP/1.0 404 '), {
    versionMajor: 1,
    versionMinor: 0,
    status: 404,
    reason: '',
  })
  assert.equal(parseStatusLine('HTTP/1.1 999'), { versionMajor: 1, versionMinor: 1, status: 999, reason: '' })
  assert.is(parseStatusLine('HTTP/1.1 200 a\tb  \xe9\xff!').reason, 'a\tb  \xe9\xff!')
})

test('parseStatusLine: anything else is MALFORMED_START_LINE', () => {
  const bad = [
    '',
    'HTTP/1.1',
    'HTTP/1.1 ',
    'HTTP/1.1 10',
    'HTTP/1.1 1011',
    'HTTP/1.1 101Switching',
    'HTTP/1.1  101 OK',
    'HTTP/1.1101 OK',
    'HTTP/1.1 099 OK',
    'HTTP/1.1 a01 OK',
    'HTTP/1.1 1a1 OK',
    'HTTP/1.1 10a OK',
    'HTTP/1.1 101 O\x00K',
    'HTTP/1.1 101 O\x7fK',
    'HTTP/1.1 101 O\u0100K',
    'HTTP/1.1 101 OK\r',
    'HTTP/11 101 OK',
    'http/1.1 101 OK',
    ' HTTP/1.1 101 OK',
  ]
  for (const line of bad) {
    assert.throws(
      () => parseStatusLine(line),
      (error: HttpHeadError) =>
        error instanceof HttpHeadError &&
        error.code === 'MALFORMED_START_LINE' &&
        error.message === `malformed status line ${JSON.stringify(line)}`,
      JSON.stringify(line),
    )
  }
})

test.run()
