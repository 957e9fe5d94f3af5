// The command line of the HTTP/2 and proxy flags: what each parses to, and their help.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Command, parseCommandLine } from '../src/args.ts'
import { CONNECT_HELP, SERVE_HELP } from '../src/help.ts'

function parsed<K extends Command['kind']>(args: string[], kind: K): Extract<Command, { kind: K }> {
  const command = parseCommandLine(args)
  if (command.kind !== kind) throw new Error(`expected ${kind}, got ${JSON.stringify(command)}`)
  return command as Extract<Command, { kind: K }>
}

test('connect: the proxy comes from the environment unless --proxy, --no-proxy or --h2 say otherwise', () => {
  assert.equal(parsed(['connect', 'ws://a/'], 'connect').network, { h2: false, proxy: 'env' })
  assert.equal(parsed(['connect', 'ws://a/', '--no-proxy'], 'connect').network, { h2: false, proxy: 'none' })
  assert.equal(parsed(['connect', 'wss://a/', '--h2'], 'connect').network, { h2: true, proxy: 'none' })
  const given = parsed(['connect', 'ws://a/', '--proxy', 'https://u:p@proxy.test:3128'], 'connect').network
  assert.is(given.h2, false)
  assert.is(given.proxy instanceof URL ? given.proxy.href : given.proxy, 'https://u:p@proxy.test:3128/')
})

test('serve: --h2c, off by default', () => {
  assert.equal(parsed(['serve'], 'serve').http, { h2c: false })
  assert.equal(parsed(['serve', '--h2c'], 'serve').http, { h2c: true })
})

test('the help texts name every new flag and the proxy variables, with examples', () => {
  for (const word of [
    '--h2',
    '--proxy URL',
    '--no-proxy',
    'HTTPS_PROXY',
    'HTTP_PROXY',
    'ALL_PROXY',
    'NO_PROXY',
  ])
    assert.ok(CONNECT_HELP.includes(word), word)
  assert.match(CONNECT_HELP, /\n {2}echo hello \| wsx connect --h2 wss:/)
  assert.match(CONNECT_HELP, /\n {2}wsx connect \S+ --proxy http:/)
  assert.ok(SERVE_HELP.includes('--h2c'))
  assert.match(SERVE_HELP, /426 Upgrade Required/)
  for (const text of [CONNECT_HELP, SERVE_HELP]) {
    for (const line of text.split('\n')) assert.ok(line.length <= 100, line)
  }
})

test.run()
