// wsx connect through an https:// proxy (TLS to the proxy, then CONNECT). The proxy's
// certificate is from the test CA, trusted through NODE_EXTRA_CA_CERTS: --ca is for the server.
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { fixtures, killAll, startServe, Wsx } from './harness.ts'
import { testProxy } from './proxy-helpers.ts'

test.after.each(() => killAll())

test('--proxy https://: ws:// and wss:// through a TLS proxy; HTTPS_PROXY=https://... too', async () => {
  const plain = await startServe()
  const secure = await startServe([
    '--tls-cert',
    join(fixtures, 'server.pem'),
    '--tls-key',
    join(fixtures, 'server-key.pem'),
  ])
  const proxy = await testProxy('tunnel', true)
  const trust = { NODE_EXTRA_CA_CERTS: join(fixtures, 'ca.pem') }
  try {
    const ws = await new Wsx(['connect', plain.url, '--proxy', proxy.url], 'source', trust).input('a\n')
      .exited
    assert.is(ws.stderr, '')
    assert.is(ws.stdout, 'a\n')
    assert.is(ws.code, 0)
    const wss = await new Wsx(['connect', `wss://localhost:${secure.port}/`], 'source', {
      ...trust,
      HTTPS_PROXY: proxy.url,
    }).input('b\n').exited
    assert.is(wss.stderr, '')
    assert.is(wss.stdout, 'b\n')
    assert.is(wss.code, 0)
    assert.equal(
      proxy.requests.map((request) => request.line),
      [`CONNECT 127.0.0.1:${plain.port} HTTP/1.1`, `CONNECT localhost:${secure.port} HTTP/1.1`],
    )
    // Without trusting the proxy's certificate: one line naming the proxy, exit 1.
    const untrusted = await new Wsx(['connect', plain.url, '--proxy', proxy.url]).input('c\n').exited
    assert.is(untrusted.code, 1)
    assert.match(
      untrusted.stderr,
      new RegExp(`^wsx: cannot connect to ${plain.url}: cannot reach proxy ${proxy.url}: [^\\n]+\\n$`),
    )
  } finally {
    plain.server.kill('SIGTERM')
    secure.server.kill('SIGTERM')
    await proxy.close()
  }
})

test.run()
