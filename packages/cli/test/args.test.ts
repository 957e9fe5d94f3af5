import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Command, DEFAULT_MAX_MESSAGE, parseCommandLine, parseHeader } from '../src/args.ts'
import { CONNECT_HELP, MAIN_HELP, SERVE_HELP } from '../src/help.ts'

function errorOf(args: string[]): string {
  const command = parseCommandLine(args)
  if (command.kind !== 'usage-error') throw new Error(`expected a usage error, got ${command.kind}`)
  assert.not.match(command.message, /\n/)
  assert.match(command.message, /^wsx: /)
  return command.message
}

function serve(args: string[]): Extract<Command, { kind: 'serve' }>['options'] {
  const command = parseCommandLine(['serve', ...args])
  if (command.kind !== 'serve') throw new Error(`expected serve, got ${JSON.stringify(command)}`)
  return command.options
}

function connect(args: string[]): Extract<Command, { kind: 'connect' }>['options'] {
  const command = parseCommandLine(['connect', ...args])
  if (command.kind !== 'connect') throw new Error(`expected connect, got ${JSON.stringify(command)}`)
  return command.options
}

test('help: wsx, wsx serve and wsx connect, with -h or --help anywhere before --', () => {
  for (const args of [['--help'], ['-h'], ['help']])
    assert.equal(parseCommandLine(args), { kind: 'help', text: MAIN_HELP })
  for (const args of [
    ['serve', '--help'],
    ['serve', '--port', '1', '-h'],
    ['serve', '--bogus', '--help'],
  ]) {
    assert.equal(parseCommandLine(args), { kind: 'help', text: SERVE_HELP })
  }
  for (const args of [
    ['connect', '-h'],
    ['connect', 'ws://x/', '--help'],
  ]) {
    assert.equal(parseCommandLine(args), { kind: 'help', text: CONNECT_HELP })
  }
  assert.is(parseCommandLine(['connect', '--', '--help']).kind, 'usage-error')
  for (const text of [MAIN_HELP, SERVE_HELP, CONNECT_HELP]) {
    assert.match(text, /Examples:/)
    assert.ok(text.endsWith('\n'))
  }
})

test('serve: defaults', () => {
  assert.equal(serve([]), {
    host: '127.0.0.1',
    port: 8080,
    tlsCert: undefined,
    tlsKey: undefined,
    deflate: true,
    maxMessage: DEFAULT_MAX_MESSAGE,
  })
  assert.is(DEFAULT_MAX_MESSAGE, 16777216)
})

test('serve: every option, in both --name value and --name=value forms', () => {
  assert.equal(
    serve([
      '--host',
      '::1',
      '--port=0',
      '--tls-cert',
      'c.pem',
      '--tls-key=k.pem',
      '--no-deflate',
      '--max-message',
      '1024',
    ]),
    { host: '::1', port: 0, tlsCert: 'c.pem', tlsKey: 'k.pem', deflate: false, maxMessage: 1024 },
  )
  assert.is(serve(['--port', '65535']).port, 65535)
})

test('serve: bad values and combinations are one-line usage errors', () => {
  assert.is(
    errorOf(['serve', '--port', 'x']),
    "wsx: --port must be 0 to 65535, got 'x' (see 'wsx serve --help')",
  )
  assert.match(errorOf(['serve', '--port', '65536']), /--port must be 0 to 65535, got '65536'/)
  assert.match(errorOf(['serve', '--port', '-1']), /--port/)
  assert.match(errorOf(['serve', '--port', '1.5']), /--port must be/)
  assert.match(
    errorOf(['serve', '--max-message', '0']),
    /--max-message must be a whole number of at least 1, got '0'/,
  )
  assert.match(errorOf(['serve', '--max-message', '1e6']), /--max-message/)
  assert.match(errorOf(['serve', '--tls-cert', 'c.pem']), /--tls-cert and --tls-key go together/)
  assert.match(errorOf(['serve', '--tls-key', 'k.pem']), /--tls-cert and --tls-key go together/)
  assert.match(errorOf(['serve', '--host', '']), /option '--host' needs a value/)
  assert.is(errorOf(['serve', '--bogus']), "wsx: unknown option '--bogus' (see 'wsx serve --help')")
  assert.is(errorOf(['serve', '-x']), "wsx: unknown option '-x' (see 'wsx serve --help')")
  assert.is(errorOf(['serve', '--port']), "wsx: option '--port' needs a value (see 'wsx serve --help')")
  assert.match(errorOf(['serve', '--port', '--host', 'h']), /option '--port' needs a value/)
  assert.match(errorOf(['serve', '--no-deflate=yes']), /option '--no-deflate' does not take a value/)
  assert.match(errorOf(['serve', 'extra']), /unexpected argument 'extra'/)
})

test('connect: the URL and every option, repeated ones in order', () => {
  const options = connect([
    'wss://localhost:8443/chat?x=1',
    '--no-deflate',
    '--ca',
    'ca.pem',
    '--insecure',
    '--protocol',
    'chat.v2',
    '--protocol=chat',
    '--header',
    'Authorization: Bearer t0k3n',
    '--header',
    'X-Empty:',
  ])
  assert.is(options.url.href, 'wss://localhost:8443/chat?x=1')
  assert.equal(
    { ...options, url: undefined },
    {
      url: undefined,
      deflate: false,
      ca: 'ca.pem',
      insecure: true,
      protocols: ['chat.v2', 'chat'],
      headers: [
        ['Authorization', 'Bearer t0k3n'],
        ['X-Empty', ''],
      ],
    },
  )
  const plain = connect(['ws://127.0.0.1:1'])
  assert.equal(
    { ...plain, url: plain.url.href },
    { url: 'ws://127.0.0.1:1/', deflate: true, ca: undefined, insecure: false, protocols: [], headers: [] },
  )
})

test('connect: a missing, extra or bad URL and bad options are one-line usage errors', () => {
  assert.is(
    errorOf(['connect']),
    "wsx: missing URL: wsx connect ws://HOST:PORT/PATH (see 'wsx connect --help')",
  )
  assert.match(errorOf(['connect', 'ws://a/', 'ws://b/']), /unexpected argument 'ws:\/\/b\/' after the URL/)
  assert.match(errorOf(['connect', 'not a url']), /invalid URL 'not a url'/)
  assert.match(errorOf(['connect', 'http://a/']), /unsupported URL scheme 'http:'/)
  assert.match(errorOf(['connect', 'ws://a/#x']), /#fragment/)
  assert.match(errorOf(['connect', 'ws://a/', '--protocol', 'a b']), /--protocol 'a b' is not a valid/)
  assert.match(
    errorOf(['connect', 'ws://a/', '--header', 'nocolon']),
    /--header 'nocolon' must look like 'Name: value'/,
  )
  assert.match(errorOf(['connect', 'ws://a/', '--header', ': v']), /must look like/)
  assert.match(errorOf(['connect', 'ws://a/', '--ca']), /option '--ca' needs a value/)
  assert.match(errorOf(['connect', 'ws://a/', '--port', '1']), /unknown option '--port'/)
})

test('wsx without a command, or with an unknown one', () => {
  assert.is(errorOf([]), "wsx: missing command: use 'wsx serve' or 'wsx connect URL' (see 'wsx --help')")
  assert.is(
    errorOf(['listen']),
    "wsx: unknown command 'listen': use 'wsx serve' or 'wsx connect URL' (see 'wsx --help')",
  )
  assert.match(errorOf(['--port']), /^wsx: unknown option '--port'/)
})

test('parseHeader trims around the colon and keeps colons in the value', () => {
  assert.equal(parseHeader('  Origin :  http://x:1  '), ['Origin', 'http://x:1'])
})

test.run()
