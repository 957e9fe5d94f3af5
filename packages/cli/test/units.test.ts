// The pure pieces behind the newer flags: their parsing, hex/base64, the back-off, the latency
// histogram, and the slash commands of the interactive mode.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Command, parseCommandLine } from '../src/args.ts'
import { FIRST_DELAY, MAX_DELAY, reconnectDelay } from '../src/backoff.ts'
import { decode, describePayload, encode } from '../src/encoding.ts'
import { BENCH_HELP, CONNECT_HELP, MAIN_HELP, SERVE_HELP } from '../src/help.ts'
import { Histogram } from '../src/histogram.ts'
import { isInteractive, parseTyped, useColour } from '../src/interactive.ts'

function parsed<K extends Command['kind']>(args: string[], kind: K): Extract<Command, { kind: K }> {
  const command = parseCommandLine(args)
  if (command.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(command)}`)
  return command as Extract<Command, { kind: K }>
}

function error(args: string[]): string {
  const command = parseCommandLine(args)
  if (command.kind !== 'usage-error') throw new Error(`expected a usage error, got ${command.kind}`)
  assert.not.match(command.message, /\n/)
  return command.message
}

test('connect settings: defaults, and every new flag', () => {
  assert.equal(parsed(['connect', 'ws://a/'], 'connect').settings, {
    input: 'lines',
    chunk: 65536,
    jsonl: false,
    showControl: false,
    keepalive: undefined,
    reconnect: false,
    maxRetries: Number.POSITIVE_INFINITY,
    origin: undefined,
    auth: undefined,
    maxMessage: undefined,
    timeout: 10_000,
  })
  const all = parsed(
    [
      'connect',
      'ws://a/',
      '--binary',
      '--chunk=1024',
      '--jsonl',
      '--show-control',
      '--keepalive',
      '2.5',
      '--reconnect',
      '--max-retries',
      '0',
      '--origin',
      'https://o.test',
      '--auth',
      'u:p',
      '--max-message',
      '99',
      '--timeout',
      '0.25',
    ],
    'connect',
  ).settings
  assert.equal(all, {
    input: 'binary',
    chunk: 1024,
    jsonl: true,
    showControl: true,
    keepalive: 2500,
    reconnect: true,
    maxRetries: 0,
    origin: 'https://o.test',
    auth: 'u:p',
    maxMessage: 99,
    timeout: 250,
  })
  assert.is(parsed(['connect', 'ws://a/', '--hex'], 'connect').settings.input, 'hex')
  assert.is(parsed(['connect', 'ws://a/', '--base64'], 'connect').settings.input, 'base64')
})

test('connect: bad values of the new flags are one-line usage errors', () => {
  const url = 'ws://a/'
  assert.match(error(['connect', url, '--binary', '--hex']), /--binary and --hex cannot go together/)
  assert.match(error(['connect', url, '--chunk', '5']), /--chunk goes with --binary/)
  assert.match(error(['connect', url, '--binary', '--chunk', '0']), /--chunk must be 1 to/)
  assert.match(error(['connect', url, '--keepalive=-1']), /--keepalive must be a positive number of seconds/)
  assert.match(error(['connect', url, '--keepalive', '1e3']), /--keepalive must be/)
  assert.match(error(['connect', url, '--timeout', '0']), /--timeout must be a positive number/)
  assert.match(error(['connect', url, '--max-retries', '1']), /--max-retries goes with --reconnect/)
  assert.match(error(['connect', url, '--reconnect', '--max-retries', 'x']), /--max-retries must be/)
  assert.match(error(['connect', url, '--auth', 'nocolon']), /--auth must look like 'user:password'/)
  assert.match(error(['connect', url, '--auth', 'a:\nb']), /--auth has a line break/)
  assert.match(error(['connect', url, '--origin', '']), /option '--origin' needs a value/)
  assert.match(
    error(['connect', url, '--max-message', '0']),
    /--max-message must be a whole number of at least 1/,
  )
  // --proxy exists now (HTTP/2 and proxy issue): only http:// and https:// proxies are accepted.
  assert.match(error(['connect', url, '--proxy', 'ftp://p/']), /unsupported --proxy scheme 'ftp:'/)
})

test('serve settings: defaults, every new flag, and bad values', () => {
  assert.equal(parsed(['serve'], 'serve').settings, {
    broadcast: false,
    protocols: [],
    keepalive: undefined,
    maxConnections: undefined,
    log: 'none',
  })
  assert.equal(
    parsed(
      [
        'serve',
        '--broadcast',
        '--protocol',
        'a',
        '--protocol=b',
        '--keepalive',
        '1',
        '--max-connections',
        '3',
        '--log',
      ],
      'serve',
    ).settings,
    { broadcast: true, protocols: ['a', 'b'], keepalive: 1000, maxConnections: 3, log: 'text' },
  )
  assert.is(parsed(['serve', '--jsonl'], 'serve').settings.log, 'jsonl')
  assert.match(error(['serve', '--protocol', 'a b']), /--protocol 'a b' is not a valid subprotocol name/)
  assert.match(error(['serve', '--max-connections', '-1']), /--max-connections/)
  assert.match(error(['serve', '--keepalive']), /option '--keepalive' needs a value/)
})

test('bench options: defaults, every flag, bad values', () => {
  const defaults = parsed(['bench', 'ws://h:1/p'], 'bench').options
  assert.is(defaults.url.href, 'ws://h:1/p')
  assert.equal(
    { ...defaults, url: undefined, threads: undefined },
    {
      url: undefined,
      threads: undefined,
      connections: 10,
      inFlight: 1,
      size: 64,
      duration: 5000,
      binary: false,
      deflate: true,
      json: false,
      ca: undefined,
      insecure: false,
    },
  )
  assert.ok(defaults.threads >= 1 && defaults.threads <= 10)
  const all = parsed(
    [
      'bench',
      'wss://h/',
      '-c',
      '3',
      '--in-flight',
      '4',
      '--size',
      '16',
      '--seconds',
      '0.5',
      '--binary',
      '--no-deflate',
      '--threads',
      '8',
      '--json',
      '--ca',
      'ca.pem',
      '--insecure',
    ],
    'bench',
  ).options
  assert.equal(
    { ...all, url: all.url.href },
    {
      url: 'wss://h/',
      connections: 3,
      inFlight: 4,
      size: 16,
      duration: 500,
      binary: true,
      deflate: false,
      threads: 3,
      json: true,
      ca: 'ca.pem',
      insecure: true,
    },
  )
  assert.match(
    error(['bench']),
    /^wsx: missing URL: wsx bench ws:\/\/HOST:PORT\/PATH \(see 'wsx bench --help'\)$/,
  )
  assert.match(error(['bench', 'http://x/']), /unsupported URL scheme 'http:'/)
  assert.match(error(['bench', 'ws://x/', 'ws://y/']), /unexpected argument 'ws:\/\/y\/'/)
  assert.match(error(['bench', 'ws://x/', '--size', '15']), /--size must be 16 to/)
  assert.match(error(['bench', 'ws://x/', '-c', '0']), /--connections must be 1 to/)
  assert.match(error(['bench', 'ws://x/', '--seconds', 'forever']), /--seconds must be a positive number/)
})

test('--version and help', () => {
  assert.match(parsed(['--version'], 'help').text, /^wsx \d+\.\d+\.\d+\n$/)
  assert.equal(parseCommandLine(['-V']), parseCommandLine(['--version']))
  assert.match(error(['--version', 'serve']), /unexpected argument 'serve' after --version/)
  assert.equal(parseCommandLine(['bench', '--help']), { kind: 'help', text: BENCH_HELP })
  for (const text of [MAIN_HELP, SERVE_HELP, CONNECT_HELP, BENCH_HELP])
    assert.match(text, /Usage:[\s\S]*Examples:/)
  // Every option of each command is in its help.
  for (const option of ['--broadcast', '--protocol', '--keepalive', '--max-connections', '--log', '--jsonl'])
    assert.ok(SERVE_HELP.includes(option), option)
  for (const option of [
    '--show-control',
    '--binary',
    '--chunk',
    '--hex',
    '--base64',
    '--jsonl',
    '--keepalive',
    '--reconnect',
    '--max-retries',
    '--origin',
    '--auth',
    '--max-message',
    '--timeout',
    '/ping',
    '/close',
    '/binary',
    '/quit',
    '/help',
    'NO_COLOR',
  ])
    assert.ok(CONNECT_HELP.includes(option), option)
  for (const option of [
    '--connections',
    '--in-flight',
    '--size',
    '--seconds',
    '--binary',
    '--no-deflate',
    '--threads',
    '--json',
  ])
    assert.ok(BENCH_HELP.includes(option), option)
})

test('hex and base64 against node:buffer; bad input is undefined', () => {
  const bytes = new Uint8Array([0, 1, 0xab, 0xff])
  assert.is(encode(bytes, 'hex'), '0001abff')
  assert.is(encode(bytes, 'base64'), Buffer.from(bytes).toString('base64'))
  assert.is(encode(new Uint8Array([9, 0xca, 0xfe, 9]).subarray(1, 3), 'hex'), 'cafe')
  assert.equal([...(decode('00 01 AB ff', 'hex') as Uint8Array)], [0, 1, 0xab, 0xff])
  assert.equal(decode('', 'hex')?.byteLength, 0)
  for (const bad of ['0', 'zz', '0x00', '00 1']) assert.is(decode(bad, 'hex'), undefined, bad)
  // RFC 4648 section 10 test vectors.
  for (const [plain, coded] of [
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foobar', 'Zm9vYmFy'],
  ] as const) {
    assert.is(Buffer.from(decode(coded, 'base64') as Uint8Array).toString(), plain)
  }
  for (const bad of ['Zg', 'Zg=', 'Z===', 'Zm9v!', 'Zm-_']) assert.is(decode(bad, 'base64'), undefined, bad)
  assert.is(describePayload(new Uint8Array(0)), '')
  assert.is(describePayload(new TextEncoder().encode('héllo')), 'héllo')
  assert.is(describePayload(new Uint8Array([0xff, 0])), 'hex:ff00')
  assert.is(describePayload(new TextEncoder().encode('a\nb')), 'hex:610a62')
})

test('reconnectDelay: doubles from 250 ms, capped at 15 s, jitter takes off at most half', () => {
  assert.is(
    reconnectDelay(1, () => 0),
    FIRST_DELAY,
  )
  assert.is(
    reconnectDelay(2, () => 0),
    500,
  )
  assert.is(
    reconnectDelay(3, () => 0),
    1000,
  )
  assert.is(
    reconnectDelay(1, () => 0.999999),
    125,
  )
  assert.is(
    reconnectDelay(100, () => 0),
    MAX_DELAY,
  )
  assert.is(
    reconnectDelay(4, () => 0.999999999),
    1000,
  )
  assert.is(MAX_DELAY, 15_000)
  for (let i = 0; i < 100; i++) {
    const delay = reconnectDelay(4)
    // At most half comes off the 2000 ms ceiling: a draw near 1 rounds to exactly 1000.
    assert.ok(delay >= 1000 && delay <= 2000, String(delay))
  }
})

test('Histogram: quantiles within 2.2% of the exact ones, max exact, histograms add up', () => {
  const values = Array.from({ length: 10_000 }, (_, i) => 0.05 + (i * i) / 1e5)
  const histogram = new Histogram()
  for (const value of values) histogram.record(value)
  const sorted = [...values].sort((a, b) => a - b)
  for (const q of [0.5, 0.9, 0.99]) {
    const exact = sorted[Math.ceil(q * sorted.length) - 1] as number
    const got = histogram.quantile(q)
    assert.ok(got >= exact && got <= exact * 1.022, `${q}: ${got} vs ${exact}`)
  }
  assert.is(histogram.max, sorted.at(-1))
  assert.is(histogram.quantile(1), sorted.at(-1))
  const other = new Histogram()
  other.record(5000)
  histogram.add(other)
  assert.is(histogram.count, 10_001)
  assert.is(histogram.max, 5000)
  assert.is(new Histogram().quantile(0.5), 0)
  const tiny = new Histogram()
  tiny.record(0.0001)
  assert.is(tiny.quantile(0.5), 0.0001)
})

test('parseTyped: messages, //escape, and each slash command with its errors', () => {
  assert.equal(parseTyped('hello', 'lines'), { kind: 'text', data: 'hello' })
  assert.equal(parseTyped('//x', 'lines'), { kind: 'text', data: '/x' })
  assert.equal(parseTyped('', 'lines'), { kind: 'text', data: '' })
  assert.equal(parseTyped('/ping', 'lines'), { kind: 'ping', data: '' })
  assert.equal(parseTyped('/ping a b', 'lines'), { kind: 'ping', data: 'a b' })
  assert.is(parseTyped(`/ping ${'x'.repeat(126)}`, 'lines').kind, 'error')
  assert.equal(parseTyped('/quit', 'lines'), { kind: 'close', code: 1000, reason: '' })
  assert.equal(parseTyped('/close', 'lines'), { kind: 'close', code: 1000, reason: '' })
  assert.equal(parseTyped('/close 4000 so long', 'lines'), { kind: 'close', code: 4000, reason: 'so long' })
  for (const bad of [
    '/close 1005',
    '/close 1006',
    '/close 5000',
    '/close abc',
    `/close 1000 ${'r'.repeat(124)}`,
  ]) {
    assert.is(parseTyped(bad, 'lines').kind, 'error', bad)
  }
  assert.equal(parseTyped('/help', 'lines'), { kind: 'help' })
  const binary = parseTyped('/binary 01 ff', 'lines')
  assert.equal(binary.kind === 'binary' ? [...binary.data] : binary, [1, 255])
  assert.equal(parseTyped('/binary xyz', 'lines'), {
    kind: 'error',
    message: '/binary needs hex (pairs of 0-9a-f digits)',
  })
  assert.equal(parseTyped('/what', 'lines'), {
    kind: 'error',
    message: "unknown command '/what': /help lists them",
  })
  const hex = parseTyped('ab', 'hex')
  assert.equal(hex.kind === 'binary' ? [...hex.data] : hex, [0xab])
  assert.is(parseTyped('abc', 'base64').kind, 'error')
})

test('isInteractive and useColour', () => {
  const tty = { isTTY: true } as unknown as NodeJS.ReadStream
  const pipe = {} as unknown as NodeJS.ReadStream
  assert.is(isInteractive({ stdin: tty, stdout: tty as unknown as NodeJS.WriteStream }), true)
  assert.is(isInteractive({ stdin: pipe, stdout: tty as unknown as NodeJS.WriteStream }), false)
  assert.is(isInteractive({ stdin: tty, stdout: pipe as unknown as NodeJS.WriteStream }), false)
  assert.is(
    isInteractive(
      { stdin: tty, stdout: tty as unknown as NodeJS.WriteStream },
      { input: 'binary', jsonl: false },
    ),
    false,
  )
  assert.is(
    isInteractive(
      { stdin: tty, stdout: tty as unknown as NodeJS.WriteStream },
      { input: 'lines', jsonl: true },
    ),
    false,
  )
  assert.is(useColour({}), true)
  assert.is(useColour({ NO_COLOR: '' }), true)
  assert.is(useColour({ NO_COLOR: '1' }), false)
})

test.run()
