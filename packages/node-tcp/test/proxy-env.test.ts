/**
 * The proxy environment variables, read as curl documents them (curl(1), ENVIRONMENT and
 * --noproxy): the scheme's variable, then ALL_PROXY, each lower case first; NO_PROXY as a list
 * of host suffixes, IP addresses and CIDR blocks, with `*` for every host. Ports in NO_PROXY
 * entries are our addition (curl ignores them; Go and others honour them).
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { noProxyMatches, proxyForUrl } from '../src/index.ts'

const pick = suite('proxyForUrl: which variable')

pick('wss:// uses HTTPS_PROXY, ws:// uses HTTP_PROXY, in either case', () => {
  const env = { HTTPS_PROXY: 'http://secure-proxy:3128', http_proxy: 'http://plain-proxy:3128' }
  assert.is(proxyForUrl('wss://example.com/chat', env), 'http://secure-proxy:3128')
  assert.is(proxyForUrl('ws://example.com/chat', env), 'http://plain-proxy:3128')
  assert.is(proxyForUrl(new URL('ws://example.com/'), { HTTP_PROXY: 'http://upper:1' }), 'http://upper:1')
  assert.is(proxyForUrl('wss://example.com/', { https_proxy: 'https://lower:1' }), 'https://lower:1')
})

pick('the lower-case variable wins over the upper-case one', () => {
  const env = { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:1' }
  assert.is(proxyForUrl('wss://example.com/', env), 'http://lower:1')
})

pick("one scheme's variable never serves the other", () => {
  assert.is(proxyForUrl('wss://example.com/', { HTTP_PROXY: 'http://p:1' }), undefined)
  assert.is(proxyForUrl('ws://example.com/', { HTTPS_PROXY: 'http://p:1' }), undefined)
  assert.is(proxyForUrl('ws://example.com/', {}), undefined)
})

pick('ALL_PROXY is the fallback, for both schemes', () => {
  const env = { ALL_PROXY: 'http://all:8080', https_proxy: 'http://secure:1' }
  assert.is(proxyForUrl('ws://example.com/', env), 'http://all:8080')
  assert.is(proxyForUrl('wss://example.com/', env), 'http://secure:1')
  assert.is(proxyForUrl('wss://example.com/', { all_proxy: 'http://lower-all:1' }), 'http://lower-all:1')
})

pick('empty values count as unset; a value without a scheme is http://', () => {
  assert.is(
    proxyForUrl('wss://example.com/', { HTTPS_PROXY: '', ALL_PROXY: 'proxy.local:3128' }),
    'http://proxy.local:3128',
  )
  assert.is(proxyForUrl('wss://example.com/', { HTTPS_PROXY: '  ' }), undefined)
  assert.is(proxyForUrl('wss://example.com/', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '' }), 'http://p:1')
})

pick('NO_PROXY (either case) turns the proxy off for matching hosts', () => {
  const env = { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'internal.example, localhost' }
  assert.is(proxyForUrl('wss://a.internal.example/x', env), undefined)
  assert.is(proxyForUrl('wss://localhost:9000/', env), undefined)
  assert.is(proxyForUrl('wss://example.org/', env), 'http://p:1')
  assert.is(proxyForUrl('ws://localhost/', { http_proxy: 'http://p:1', no_proxy: '*' }), undefined)
  assert.is(proxyForUrl('ws://[::1]:8080/', { http_proxy: 'http://p:1', no_proxy: '::1' }), undefined)
})

const match = suite('noProxyMatches')

const cases: [list: string, host: string, port: number, expected: boolean][] = [
  // `*` alone matches every host.
  ['*', 'anything.example', 443, true],
  ['*', '10.1.2.3', 80, true],
  // A name matches itself and its subdomains, not names that merely end the same way.
  ['example.com', 'example.com', 443, true],
  ['example.com', 'www.example.com', 443, true],
  ['example.com', 'a.b.example.com', 443, true],
  ['example.com', 'notexample.com', 443, false],
  ['example.com', 'example.com.evil.org', 443, false],
  ['www.example.com', 'example.com', 443, false],
  // A leading dot: the domain and its subdomains.
  ['.example.com', 'www.example.com', 443, true],
  ['.example.com', 'example.com', 443, true],
  // Without case, and with a trailing dot on either side.
  ['EXAMPLE.com', 'Www.Example.COM', 443, true],
  ['example.com.', 'www.example.com', 443, true],
  ['example.com', 'www.example.com.', 443, true],
  // Lists: commas and/or spaces, empty entries ignored.
  ['foo.org, ,example.com', 'example.com', 443, true],
  ['foo.org example.com', 'x.example.com', 443, true],
  ['foo.org,bar.org', 'example.com', 443, false],
  ['', 'example.com', 443, false],
  // Ports: only that port (the URL's default port counts).
  ['example.com:8443', 'example.com', 8443, true],
  ['example.com:8443', 'example.com', 443, false],
  ['.example.com:443', 'api.example.com', 443, true],
  ['127.0.0.1:80', '127.0.0.1', 80, true],
  ['127.0.0.1:80', '127.0.0.1', 8080, false],
  // IP addresses match exactly, never as a suffix.
  ['127.0.0.1', '127.0.0.1', 80, true],
  ['0.0.1', '127.0.0.1', 80, false],
  ['127.0.0.1', '127.0.0.10', 80, false],
  // CIDR blocks.
  ['10.0.0.0/8', '10.200.3.4', 80, true],
  ['10.0.0.0/8', '11.0.0.1', 80, false],
  ['192.168.1.0/24:8080', '192.168.1.7', 8080, true],
  ['fd00::/8', 'fd12::1', 443, true],
  ['fd00::/8', '10.0.0.1', 443, false],
  ['10.0.0.0/33', '10.0.0.1', 80, false],
  ['10.0.0.0/x', '10.0.0.1', 80, false],
  ['example.com/8', '10.0.0.1', 80, false],
  // IPv6: bare, or in brackets with or without a port; the host may come with brackets.
  ['::1', '::1', 443, true],
  ['::1', '[::1]', 443, true],
  ['[::1]', '::1', 443, true],
  ['[::1]:8080', '::1', 8080, true],
  ['[::1]:8080', '::1', 443, false],
  ['[::1', '::1', 443, false],
  ['[::1]x', '::1', 443, false],
  ['.', 'example.com', 443, false],
]

for (const [list, host, port, expected] of cases) {
  match(`${JSON.stringify(list)} ${expected ? 'matches' : 'does not match'} ${host}:${port}`, () => {
    assert.is(noProxyMatches(list, host, port), expected)
  })
}

pick.run()
match.run()
