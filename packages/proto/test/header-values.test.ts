import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import {
  type ExtensionItem,
  formatExtensions,
  isToken,
  isTokenChar,
  listHasToken,
  parseExtensions,
  parseProductList,
  parseTokenList,
} from '../src/handshake/header-values.ts'

const TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

test('isTokenChar is true for exactly the RFC 9110 tchar set', () => {
  for (let code = 0; code < 0x110; code++) {
    assert.is(isTokenChar(code), TCHARS.includes(String.fromCharCode(code)), `code ${code}`)
  }
  assert.not.ok(isTokenChar(Number.NaN))
  assert.not.ok(isTokenChar(-1))
})

test('isToken: non-empty strings of tchar only', () => {
  assert.ok(isToken(TCHARS))
  assert.ok(isToken('permessage-deflate'))
  for (const text of ['', ' ', 'a b', 'a,b', 'a;b', '"a"', 'a=b', 'a/b', 'caf\xe9', 'a\u0100', 'a\t']) {
    assert.not.ok(isToken(text), JSON.stringify(text))
  }
  assert.not.ok(isToken(42 as unknown as string))
  assert.not.ok(isToken(null as unknown as string))
})

test('parseTokenList: comma-separated tokens with optional whitespace', () => {
  assert.equal(parseTokenList('Upgrade'), ['Upgrade'])
  assert.equal(parseTokenList('keep-alive, Upgrade'), ['keep-alive', 'Upgrade'])
  assert.equal(parseTokenList('chat,superchat'), ['chat', 'superchat'])
  assert.equal(parseTokenList(' \tchat \t, \t superchat\t '), ['chat', 'superchat'])
  assert.equal(parseTokenList(TCHARS), [TCHARS])
})

test('parseTokenList: empty elements are ignored (RFC 9110 section 5.6.1)', () => {
  assert.equal(parseTokenList(''), [])
  assert.equal(parseTokenList('   '), [])
  assert.equal(parseTokenList(','), [])
  assert.equal(parseTokenList(', ,'), [])
  assert.equal(parseTokenList(',a,,b,'), ['a', 'b'])
  assert.equal(parseTokenList(' , a , , b , '), ['a', 'b'])
})

test('parseTokenList: any element that is not a token makes the whole list null', () => {
  for (const value of [
    'a b',
    'a, b c',
    '"chat"',
    'chat, "superchat"',
    'a;b',
    'a/b',
    'a=b',
    'a, (b)',
    'caf\xe9',
    'a\u2028',
    'a\x00',
    'a\r\nb',
    '\x7f',
  ]) {
    assert.is(parseTokenList(value), null, JSON.stringify(value))
  }
})

test('parseProductList: token ["/" token] products (RFC 9110 section 7.8)', () => {
  assert.equal(parseProductList('websocket'), ['websocket'])
  assert.equal(parseProductList('HTTP/2.0, SHTTP/1.3, IRC/6.9, RTA/x11'), [
    'HTTP/2.0',
    'SHTTP/1.3',
    'IRC/6.9',
    'RTA/x11',
  ])
  assert.equal(parseProductList(' , websocket ,, h2c '), ['websocket', 'h2c'])
  assert.equal(parseProductList(''), [])
})

test('parseProductList: malformed products make the whole list null', () => {
  for (const value of [
    'websocket/',
    '/1',
    'a/b/c',
    'a / b',
    'a /b',
    'a/ b',
    'web socket',
    '"websocket"',
    'a/"b"',
  ]) {
    assert.is(parseProductList(value), null, JSON.stringify(value))
  }
})

test('listHasToken compares case-insensitively', () => {
  assert.ok(listHasToken(['keep-alive', 'Upgrade'], 'upgrade'))
  assert.ok(listHasToken(['WebSocket'], 'websocket'))
  assert.not.ok(listHasToken(['upgrades', 'upgrad'], 'upgrade'))
  assert.not.ok(listHasToken([], 'upgrade'))
})

test('RFC 7692 section 5.2 example: permessage-deflate; client_max_window_bits', () => {
  assert.equal(parseExtensions('permessage-deflate; client_max_window_bits'), [
    { name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: null }] },
  ])
})

test('RFC 7692 section 5.2 example: two offers, the first with server_max_window_bits=10', () => {
  assert.equal(parseExtensions('permessage-deflate; server_max_window_bits=10, permessage-deflate'), [
    { name: 'permessage-deflate', params: [{ name: 'server_max_window_bits', value: '10' }] },
    { name: 'permessage-deflate', params: [] },
  ])
})

test('RFC 7692 section 7.1: a quoted value is unquoted', () => {
  assert.equal(parseExtensions('permessage-deflate; client_max_window_bits="10"'), [
    { name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: '10' }] },
  ])
})

test('RFC 7692 section 5.2 example: several parameters, one without a value', () => {
  assert.equal(
    parseExtensions(
      'permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate',
    ),
    [
      {
        name: 'permessage-deflate',
        params: [
          { name: 'client_max_window_bits', value: null },
          { name: 'server_max_window_bits', value: '10' },
        ],
      },
      { name: 'permessage-deflate', params: [] },
    ],
  )
})

test('extension and parameter names are lower-cased; values are kept as written', () => {
  assert.equal(parseExtensions('PerMessage-Deflate; Client_Max_Window_Bits=AbC; X="DeF"'), [
    {
      name: 'permessage-deflate',
      params: [
        { name: 'client_max_window_bits', value: 'AbC' },
        { name: 'x', value: 'DeF' },
      ],
    },
  ])
})

test('optional whitespace around , ; and = is allowed', () => {
  const expected = [
    { name: 'a', params: [{ name: 'b', value: 'c' }] },
    { name: 'd', params: [{ name: 'e', value: null }] },
  ]
  assert.equal(parseExtensions('a;b=c,d;e'), expected)
  assert.equal(parseExtensions(' \ta \t; \tb \t= \tc \t, \td \t; \te \t'), expected)
  assert.equal(parseExtensions('a ; b = "c" , d ; e'), expected)
})

test('duplicate parameters are kept, in order', () => {
  assert.equal(
    parseExtensions('permessage-deflate; server_no_context_takeover; server_no_context_takeover; x=1; x=2'),
    [
      {
        name: 'permessage-deflate',
        params: [
          { name: 'server_no_context_takeover', value: null },
          { name: 'server_no_context_takeover', value: null },
          { name: 'x', value: '1' },
          { name: 'x', value: '2' },
        ],
      },
    ],
  )
})

test('quoted-pair escapes stand for the escaped character', () => {
  assert.equal(parseExtensions('a; b="\\1\\0"'), [{ name: 'a', params: [{ name: 'b', value: '10' }] }])
  assert.equal(parseExtensions('a; b="x\\yz\\w"'), [{ name: 'a', params: [{ name: 'b', value: 'xyzw' }] }])
  assert.equal(parseExtensions('a; b="\\!"'), [{ name: 'a', params: [{ name: 'b', value: '!' }] }])
})

test('a quoted value that is not a token after unquoting makes the header null (RFC 6455 section 9.1)', () => {
  for (const value of [
    'a; b=""',
    'a; b="1 0"',
    'a; b="1,0"',
    'a; b="1;0"',
    'a; b="x=y"',
    'a; b="\\""',
    'a; b="\\\\"',
    'a; b="\\ "',
    'a; b="\t"',
    'a; b="caf\xe9"',
    'a; b="\\\xe9"',
    'a; b="x\x00"',
  ]) {
    assert.is(parseExtensions(value), null, JSON.stringify(value))
  }
})

test('syntax errors make the header null', () => {
  for (const value of [
    'a;',
    'a; ',
    'a;;b',
    'a; ;b',
    ';b',
    'a; b=',
    'a; b= ',
    'a; b=, c',
    'a; =1',
    'a; b==1',
    'a; b=1=2',
    'a; b="10',
    'a; b="10\\',
    'a; b="10\\"',
    'a; b="1"0',
    'a; b=1 2',
    'a b',
    'a; b c',
    'a, b c',
    '"a"',
    'a; "b"=1',
    'a: b',
    'a; b=1/2',
    'a/1',
    'a; b=caf\xe9',
    'a; b=\u0100',
    'a\x00',
  ]) {
    assert.is(parseExtensions(value), null, JSON.stringify(value))
  }
})

test('empty and whitespace-only values give [], and empty list elements are ignored', () => {
  assert.equal(parseExtensions(''), [])
  assert.equal(parseExtensions(' \t '), [])
  assert.equal(parseExtensions(', ,'), [])
  assert.equal(parseExtensions(',a, ,b,'), [
    { name: 'a', params: [] },
    { name: 'b', params: [] },
  ])
})

test('parameter names like __proto__ and constructor are ordinary names', () => {
  const result = parseExtensions(
    '__proto__; __proto__=1; constructor; hasOwnProperty="2"; toString, constructor',
  )
  assert.equal(result, [
    {
      name: '__proto__',
      params: [
        { name: '__proto__', value: '1' },
        { name: 'constructor', value: null },
        { name: 'hasownproperty', value: '2' },
        { name: 'tostring', value: null },
      ],
    },
    { name: 'constructor', params: [] },
  ])
  assert.is(Object.getPrototypeOf(result?.[0]), Object.prototype)
  assert.equal(parseTokenList('__proto__, constructor'), ['__proto__', 'constructor'])
})

test('hostile: 100 000 spaces', () => {
  const spaces = ' '.repeat(100_000)
  assert.equal(parseTokenList(spaces), [])
  assert.equal(parseProductList(spaces), [])
  assert.equal(parseExtensions(spaces), [])
  assert.equal(parseTokenList(`a${spaces},${spaces}b`), ['a', 'b'])
  assert.is(parseTokenList(`a${spaces}b`), null)
  assert.is(parseTokenList(`${spaces}a${spaces}b${spaces}`), null)
  assert.is(parseExtensions(`a;${spaces}b${spaces}=${spaces}c${spaces}x`), null)
  assert.equal(parseExtensions(`a${spaces};${spaces}b${spaces}=${spaces}c${spaces}`), [
    { name: 'a', params: [{ name: 'b', value: 'c' }] },
  ])
})

test('hostile: 100 000 commas', () => {
  const commas = ','.repeat(100_000)
  assert.equal(parseTokenList(commas), [])
  assert.equal(parseProductList(commas), [])
  assert.equal(parseExtensions(commas), [])
  assert.equal(parseTokenList(`${commas}a${commas}`), ['a'])
  assert.is(parseTokenList(`${', '.repeat(50_000)}a b`), null)
  assert.is(parseExtensions(`${commas};`), null)
})

test('hostile: thousands of parameters and elements', () => {
  const params = Array.from({ length: 20_000 }, (_, index) => `p${index}=${index}`).join('; ')
  const result = parseExtensions(`x; ${params}`)
  assert.is(result?.[0].params.length, 20_000)
  assert.equal(result?.[0].params[19_999], { name: 'p19999', value: '19999' })
  assert.is(parseExtensions(`x; ${params};`), null)
  const many = Array.from({ length: 20_000 }, () => 'chat').join(', ')
  assert.is(parseTokenList(many)?.length, 20_000)
  assert.is(parseExtensions(many)?.length, 20_000)
})

test('hostile: an unterminated quote of 100 000 \\x pairs', () => {
  const pairs = '\\x'.repeat(100_000)
  assert.is(parseExtensions(`a; b="${pairs}`), null)
  assert.is(parseExtensions(`a; b="${pairs}\\`), null)
  const closed = parseExtensions(`a; b="${pairs}"`)
  assert.is(closed?.[0].params[0].value, 'x'.repeat(100_000))
  assert.is(parseExtensions(`a; b="${'"'.repeat(100_000)}`), null)
})

test('hostile: many unterminated quotes and stray quotes', () => {
  assert.is(parseExtensions('a; b="'.repeat(20_000)), null)
  assert.is(parseTokenList('"'.repeat(100_000)), null)
  assert.is(parseProductList('a/'.repeat(100_000)), null)
})

test('formatExtensions writes `name; param; param=value, name2`', () => {
  assert.is(formatExtensions([]), '')
  assert.is(
    formatExtensions([
      {
        name: 'permessage-deflate',
        params: [
          { name: 'client_max_window_bits', value: null },
          { name: 'server_max_window_bits', value: '10' },
        ],
      },
      { name: 'permessage-deflate', params: [] },
    ]),
    'permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate',
  )
})

test('formatExtensions throws TypeError for a name or value that is not a token', () => {
  const cases: [ExtensionItem[], string][] = [
    [[{ name: '', params: [] }], 'extension name "" is not a token'],
    [[{ name: 'a b', params: [] }], 'extension name "a b" is not a token'],
    [[{ name: 42 as unknown as string, params: [] }], 'extension name "42" is not a token'],
    [[{ name: 'x', params: [{ name: 'a=b', value: null }] }], 'parameter name "a=b" of x is not a token'],
    [[{ name: 'x', params: [{ name: 'a', value: '' }] }], 'value "" of x; a is not a token'],
    [[{ name: 'x', params: [{ name: 'a', value: '1 0' }] }], 'value "1 0" of x; a is not a token'],
    [
      [{ name: 'x', params: [{ name: 'a', value: `${'v'.repeat(100)} ` }] }],
      `value "${'v'.repeat(64)}..." of x; a is not a token`,
    ],
  ]
  for (const [items, message] of cases) {
    assert.throws(
      () => formatExtensions(items),
      (error: Error) => error instanceof TypeError && error.message === message,
      message,
    )
  }
})

test('formatExtensions round trip: format(parse(x)) parses back to the same items', () => {
  const headers = [
    'permessage-deflate; client_max_window_bits',
    'permessage-deflate; server_max_window_bits=10, permessage-deflate',
    'permessage-deflate; client_max_window_bits="10"',
    ' A ;B = "\\1\\5" ,, c;d;d;e=f ',
  ]
  for (const header of headers) {
    const items = parseExtensions(header)
    assert.ok(items, header)
    const formatted = formatExtensions(items ?? [])
    assert.equal(parseExtensions(formatted), items, header)
    assert.is(formatExtensions(parseExtensions(formatted) ?? []), formatted)
  }
  assert.is(
    formatExtensions(parseExtensions(' A ;B = "\\1\\5" ,, c;d;d;e=f ') ?? []),
    'a; b=15, c; d; d; e=f',
  )
})

test('random items round trip through formatExtensions and parseExtensions', () => {
  const random = new Random(7692)
  const token = (): string => {
    let text = ''
    const length = 1 + random.below(8)
    for (let index = 0; index < length; index++) text += TCHARS[random.below(TCHARS.length)]
    return text.toLowerCase()
  }
  for (let round = 0; round < 500; round++) {
    const items: ExtensionItem[] = Array.from({ length: 1 + random.below(4) }, () => ({
      name: token(),
      params: Array.from({ length: random.below(5) }, () => ({
        name: token(),
        value: random.below(2) === 0 ? null : token(),
      })),
    }))
    assert.equal(parseExtensions(formatExtensions(items)), items, `round ${round}`)
  }
})

test('random printable strings never throw and either parse or give null', () => {
  const random = new Random(6455)
  const alphabet = ' \t,;="\\/aZ9-_(x'
  for (let round = 0; round < 3000; round++) {
    let text = ''
    const length = random.below(24)
    for (let index = 0; index < length; index++) text += alphabet[random.below(alphabet.length)]
    const extensions = parseExtensions(text)
    if (extensions !== null) assert.equal(parseExtensions(formatExtensions(extensions)), extensions, text)
    const tokens = parseTokenList(text)
    if (tokens !== null) for (const item of tokens) assert.ok(isToken(item), text)
    // Every token list is also a product list, with the same elements.
    if (tokens !== null) assert.equal(parseProductList(text), tokens, text)
  }
})

test.run()
