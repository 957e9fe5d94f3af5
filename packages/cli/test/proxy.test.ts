// wsx connect through HTTP proxies, through the real command: --proxy, the curl environment
// variables, --no-proxy, refusals; a CONNECT proxy written here and Debian's tinyproxy.
// 127.0.0.1 and ephemeral ports only.
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { closedPort, fixtures, killAll, runWsx, startServe, Wsx } from './harness.ts'
import { haveTinyproxy, startTinyproxy, type TestProxy, testProxy } from './proxy-helpers.ts'

const proxies = suite('wsx connect through proxies')
const opened: TestProxy[] = []
proxies.after.each(async () => {
  killAll()
  await Promise.all(opened.splice(0).map((proxy) => proxy.close()))
})

async function proxy(answer?: string): Promise<TestProxy> {
  const made = await testProxy(answer)
  opened.push(made)
  return made
}

/** Runs `wsx connect ARGS` with `env` added, `input` on stdin, to completion. */
function connectWith(args: string[], env: Record<string, string>, input = 'hello\n') {
  return new Wsx(['connect', ...args], 'source', env).input(input).exited
}

const CA = join(fixtures, 'ca.pem')
const tlsArgs = ['--tls-cert', join(fixtures, 'server.pem'), '--tls-key', join(fixtures, 'server-key.pem')]

proxies(
  '--proxy: ws:// through a CONNECT proxy, credentials sent as Proxy-Authorization: Basic',
  async () => {
    const { server, port, url } = await startServe()
    const tunnel = await proxy()
    const proxyUrl = `http://alice:s3cr%20t@127.0.0.1:${tunnel.port}`
    const exit = await runWsx(['connect', url, '--proxy', proxyUrl], 'through\n')
    assert.is(exit.stderr, '')
    assert.is(exit.stdout, 'through\n')
    assert.is(exit.code, 0)
    assert.is(tunnel.requests.length, 1)
    const [request] = tunnel.requests
    // RFC 9110 9.3.6: the target is host:port; RFC 7617: Basic is base64 of user:password (decoded).
    assert.is(request?.line, `CONNECT 127.0.0.1:${port} HTTP/1.1`)
    assert.is(
      request?.headers['proxy-authorization'],
      `Basic ${Buffer.from('alice:s3cr t').toString('base64')}`,
    )
    server.kill('SIGTERM')
    assert.is((await server.exited).code, 0)
  },
)

proxies(
  '--proxy: wss:// runs TLS through the tunnel, the certificate checked against the target',
  async () => {
    const { server, port } = await startServe(tlsArgs)
    const tunnel = await proxy()
    const exit = await runWsx(
      ['connect', `wss://localhost:${port}/`, '--ca', CA, '--proxy', tunnel.url],
      'secret\n',
    )
    assert.is(exit.stderr, '')
    assert.is(exit.stdout, 'secret\n')
    assert.is(exit.code, 0)
    assert.equal(
      tunnel.requests.map((request) => request.line),
      [`CONNECT localhost:${port} HTTP/1.1`],
    )
    assert.is(tunnel.requests[0]?.headers['proxy-authorization'], undefined)
    server.kill('SIGTERM')
    await server.exited
  },
)

proxies('HTTPS_PROXY is used for wss:// and not for ws://; lower-case http_proxy for ws://', async () => {
  const plain = await startServe()
  const secure = await startServe(tlsArgs)
  const forHttps = await proxy()
  const forHttp = await proxy()
  const wss = `wss://127.0.0.1:${secure.port}/`
  const viaHttps = await connectWith([wss, '--ca', CA], { HTTPS_PROXY: forHttps.url })
  assert.is(viaHttps.stdout, 'hello\n', viaHttps.stderr)
  assert.is(viaHttps.code, 0)
  assert.equal(
    forHttps.requests.map((request) => request.line),
    [`CONNECT 127.0.0.1:${secure.port} HTTP/1.1`],
  )
  // HTTPS_PROXY is for wss:// only: ws:// goes straight to the server.
  const direct = await connectWith([plain.url], { HTTPS_PROXY: forHttps.url })
  assert.is(direct.stdout, 'hello\n', direct.stderr)
  assert.is(forHttps.requests.length, 1)
  // http_proxy in lower case, for ws://; a value without a scheme is http:// (as curl reads it).
  const viaHttp = await connectWith([plain.url], { http_proxy: `127.0.0.1:${forHttp.port}` })
  assert.is(viaHttp.stdout, 'hello\n', viaHttp.stderr)
  assert.is(viaHttp.code, 0)
  assert.equal(
    forHttp.requests.map((request) => request.line),
    [`CONNECT 127.0.0.1:${plain.port} HTTP/1.1`],
  )
  plain.server.kill('SIGTERM')
  secure.server.kill('SIGTERM')
  await Promise.all([plain.server.exited, secure.server.exited])
})

proxies('ALL_PROXY applies to both schemes; a lower-case variable wins over the upper-case one', async () => {
  const { server, url, port } = await startServe()
  const all = await proxy()
  const upper = await proxy('403 Forbidden')
  const lower = await proxy()
  const viaAll = await connectWith([url], { ALL_PROXY: all.url })
  assert.is(viaAll.stdout, 'hello\n', viaAll.stderr)
  assert.is(all.requests.length, 1)
  const both = await connectWith([url], { HTTP_PROXY: upper.url, http_proxy: lower.url })
  assert.is(both.stdout, 'hello\n', both.stderr)
  assert.is(both.code, 0)
  assert.is(upper.requests.length, 0)
  assert.equal(
    lower.requests.map((request) => request.line),
    [`CONNECT 127.0.0.1:${port} HTTP/1.1`],
  )
  server.kill('SIGTERM')
  await server.exited
})

proxies('NO_PROXY: a matching entry (CIDR, name, host:port) goes direct; others use the proxy', async () => {
  const { server, url, port } = await startServe()
  // A proxy that refuses everything: any use of it would make wsx exit 1.
  const refusing = await proxy('403 Forbidden')
  for (const noProxy of ['example.test, 127.0.0.0/8', '127.0.0.1', `127.0.0.1:${port}`, '*']) {
    const exit = await connectWith([url], { HTTP_PROXY: refusing.url, NO_PROXY: noProxy })
    assert.is(exit.stdout, 'hello\n', `${noProxy}: ${exit.stderr}`)
    assert.is(exit.code, 0)
  }
  const lowerCase = await connectWith([url], { HTTP_PROXY: refusing.url, no_proxy: '127.0.0.1' })
  assert.is(lowerCase.code, 0, lowerCase.stderr)
  assert.is(refusing.requests.length, 0)
  // Entries that do not match this host and port: the proxy is asked (and refuses).
  for (const noProxy of ['example.test', `127.0.0.1:${port + 1 > 65535 ? 1 : port + 1}`, '127.0.0.10']) {
    const exit = await connectWith([url], { HTTP_PROXY: refusing.url, NO_PROXY: noProxy })
    assert.is(exit.code, 1, noProxy)
    assert.match(exit.stderr, /403 Forbidden/)
  }
  assert.is(refusing.requests.length, 3)
  server.kill('SIGTERM')
  await server.exited
})

proxies('--no-proxy ignores the variables; --proxy wins over them', async () => {
  const { server, url } = await startServe()
  const refusing = await proxy('403 Forbidden')
  const good = await proxy()
  const env = { HTTP_PROXY: refusing.url, http_proxy: refusing.url, ALL_PROXY: refusing.url }
  const ignored = await connectWith([url, '--no-proxy'], env)
  assert.is(ignored.stdout, 'hello\n', ignored.stderr)
  assert.is(ignored.code, 0)
  const explicit = await connectWith([url, '--proxy', good.url], env)
  assert.is(explicit.stdout, 'hello\n', explicit.stderr)
  assert.is(refusing.requests.length, 0)
  assert.is(good.requests.length, 1)
  server.kill('SIGTERM')
  await server.exited
})

proxies(
  'a refusing proxy (407, 403, 502) or one that hangs up: one stderr line naming it, exit 1',
  async () => {
    const { server, url, port } = await startServe()
    for (const status of ['407 Proxy Authentication Required', '403 Forbidden', '502 Bad Gateway']) {
      const refusing = await proxy(status)
      const exit = await runWsx(
        ['connect', url, '--proxy', `http://bob:pw@127.0.0.1:${refusing.port}`],
        'x\n',
      )
      assert.is(exit.code, 1, status)
      assert.is(exit.stdout, '')
      assert.is(
        exit.stderr,
        `wsx: cannot connect to ${url}: proxy http://127.0.0.1:${refusing.port} refused CONNECT 127.0.0.1:${port}: ${status}\n`,
      )
      // The credentials are not printed.
      assert.not.match(exit.stderr, /bob|pw@/)
    }
    const hangUp = await proxy('hang-up')
    const closed = await connectWith([url], { HTTP_PROXY: hangUp.url })
    assert.is(closed.code, 1)
    assert.is(
      closed.stderr,
      `wsx: cannot connect to ${url}: proxy ${hangUp.url} closed the connection before answering CONNECT 127.0.0.1:${port}\n`,
    )
    const nowhere = await closedPort()
    const unreachable = await runWsx(['connect', url, '--proxy', `http://127.0.0.1:${nowhere}`], 'x\n')
    assert.is(unreachable.code, 1)
    assert.match(
      unreachable.stderr,
      new RegExp(
        `^wsx: cannot connect to ${url}: cannot reach proxy http://127\\.0\\.0\\.1:${nowhere}: .*\\(ECONNREFUSED\\)\\n$`,
      ),
    )
    server.kill('SIGTERM')
    await server.exited
  },
)

proxies(
  'bad proxy settings: a usage error (exit 2) on the command line, one line from the environment',
  async () => {
    for (const [args, message] of [
      [['--proxy', 'socks5://127.0.0.1:1080'], /unsupported --proxy scheme 'socks5:'/],
      [['--proxy', 'not a url'], /invalid --proxy 'not a url'/],
      [['--proxy', ''], /option '--proxy' needs a value/],
      [['--proxy', 'http://127.0.0.1:1', '--no-proxy'], /--proxy and --no-proxy cannot go together/],
      [['--proxy', 'http://127.0.0.1:1', '--h2'], /--h2 cannot go through --proxy/],
    ] as const) {
      const exit = await runWsx(['connect', 'ws://127.0.0.1:1/', ...args])
      assert.is(exit.code, 2, args.join(' '))
      assert.match(exit.stderr, message)
      assert.match(exit.stderr, /^wsx: [^\n]+\(see 'wsx connect --help'\)\n$/)
    }
    const fromEnv = await connectWith(['ws://127.0.0.1:1/'], { HTTP_PROXY: 'socks5://127.0.0.1:1080' })
    assert.is(fromEnv.code, 1)
    assert.match(fromEnv.stderr, /^wsx: cannot connect to ws:\/\/127\.0\.0\.1:1\/: [^\n]*socks5:[^\n]*\n$/)
  },
)

const tinyproxy = suite('wsx connect through tinyproxy')
tinyproxy.after.each(() => killAll())

if (!haveTinyproxy) console.log('skipping the tinyproxy tests: /usr/bin/tinyproxy is not installed')
else {
  tinyproxy('ws:// and wss:// through tinyproxy, with --proxy and with HTTP(S)_PROXY', async () => {
    const real = await startTinyproxy()
    const plain = await startServe()
    const secure = await startServe(tlsArgs)
    try {
      const ws = await runWsx(['connect', plain.url, '--proxy', real.url], 'via tinyproxy\n')
      assert.is(ws.stderr, '')
      assert.is(ws.stdout, 'via tinyproxy\n')
      assert.is(ws.code, 0)
      const wss = await connectWith([`wss://localhost:${secure.port}/`, '--ca', CA], {
        HTTPS_PROXY: real.url,
      })
      assert.is(wss.stderr, '')
      assert.is(wss.stdout, 'hello\n')
      assert.is(wss.code, 0)
      // tinyproxy logged both tunnels.
      assert.match(real.log(), new RegExp(`CONNECT[^\\n]*127\\.0\\.0\\.1:${plain.port}`))
      assert.match(real.log(), new RegExp(`CONNECT[^\\n]*localhost:${secure.port}`))
    } finally {
      plain.server.kill('SIGTERM')
      secure.server.kill('SIGTERM')
      await real.stop()
    }
  })
}

proxies.run()
tinyproxy.run()
