// wsx serve and wsx connect as subprocesses, against each other and against small servers and
// clients written here with @ws/node-tcp and node:http. 127.0.0.1 and ephemeral ports only.
import { once } from 'node:events'
import { createServer as createHttpServer } from 'node:http'
import { join } from 'node:path'
import { type Connection, connect, WebSocketServer } from '@ws/node-tcp'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { closedPort, fixtures, killAll, runWsx, startServe, Wsx, within } from './harness.ts'

const e2e = suite('wsx end to end')
e2e.after.each(killAll)

/** The next data event of a connection (text or binary), or its closed event. */
async function next(connection: Connection): Promise<{ type: string; data?: unknown; code?: number }> {
  const iterator = connection[Symbol.asyncIterator]()
  for (;;) {
    const { value, done } = await within(iterator.next(), 5000, 'next event')
    if (done) throw new Error('connection ended')
    if (value.type === 'text' || value.type === 'binary' || value.type === 'closed') return value
  }
}

/** A @ws/node-tcp server on an ephemeral port whose connections run `handler`. */
async function testServer(
  handler: (connection: Connection) => void,
): Promise<{ url: string; server: WebSocketServer }> {
  const server = new WebSocketServer()
  server.on('connection', handler)
  const { port } = await server.listen(0, '127.0.0.1')
  return { url: `ws://127.0.0.1:${port}/`, server }
}

e2e('serve + connect: each stdin line comes back as a line; exit 0 after stdin EOF', async () => {
  const { server, url } = await startServe()
  const client = new Wsx(['connect', url])
  // One line at a time, each echo awaited (the next test sends everything at once).
  client.input('hello\n', false)
  await client.waitFor(/^hello\n$/)
  client.input('wörld\r\n', false)
  await client.waitFor(/^hello\nwörld\n$/)
  client.input('\n', false)
  await client.waitFor(/^hello\nwörld\n\n$/)
  client.input('')
  const exit = await client.exited
  assert.is(exit.stderr, '')
  assert.is(exit.stdout, 'hello\nwörld\n\n')
  assert.is(exit.code, 0)
  server.kill('SIGTERM')
  const served = await server.exited
  assert.is(served.code, 0)
  assert.match(served.stdout, /^listening on ws:\/\/127\.0\.0\.1:\d+\n$/)
})

e2e('serve + connect: all of stdin at once, lines and close in one read, every line echoed', async () => {
  const { server, url } = await startServe()
  const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`)
  const exit = await runWsx(['connect', url], `${lines.join('\n')}\n`)
  assert.is(exit.stderr, '')
  assert.is(exit.code, 0)
  assert.is(exit.stdout, `${lines.join('\n')}\n`)
  server.kill('SIGTERM')
  assert.is((await server.exited).code, 0)
})

e2e(
  'connect: stdin lines become text messages (\\n, \\r\\n, empty, last without newline), then close 1000',
  async () => {
    const received: string[] = []
    let closeCode = 0
    const { url, server } = await testServer((connection) => {
      connection.on('text', (event: { data: string }) => received.push(event.data))
      connection.on('close', (event: { code: number }) => {
        closeCode = event.code
      })
    })
    const exit = await runWsx(['connect', url], 'hello\nwörld\r\n\nlast line without newline')
    assert.is(exit.stderr, '')
    assert.is(exit.code, 0)
    assert.equal(received, ['hello', 'wörld', '', 'last line without newline'])
    assert.is(closeCode, 1000)
    await server.close()
  },
)

e2e(
  'serve: binary and text echoed with their type, pings answered, permessage-deflate accepted unless --no-deflate',
  async () => {
    for (const deflate of [true, false]) {
      const { server, url } = await startServe(deflate ? [] : ['--no-deflate'])
      const client = await connect(url)
      assert.is(client.extensions.startsWith('permessage-deflate'), deflate, client.extensions)
      client.sendBinary(new Uint8Array([0, 1, 2, 0xfe, 0xff]))
      const binary = await next(client)
      assert.is(binary.type, 'binary')
      assert.equal([...(binary.data as Uint8Array)], [0, 1, 2, 0xfe, 0xff])
      const big = 'compressible '.repeat(10_000)
      client.sendText(big)
      assert.equal(await next(client), { type: 'text', data: big })
      // Pings are answered: the pong comes before the echo of a message sent after the ping.
      let pongs = 0
      client.on('pong', () => {
        pongs++
      })
      client.ping('are you there')
      client.sendText('after the ping')
      assert.equal(await next(client), { type: 'text', data: 'after the ping' })
      assert.is(pongs, 1)
      client.close(1000)
      assert.is((await client.closed).code, 1000)
      server.kill('SIGINT')
      assert.is((await server.exited).code, 0)
    }
  },
)

e2e('serve --max-message: the offender gets 1009, another client keeps working', async () => {
  const { server, url } = await startServe(['--max-message', '1000'])
  const good = await connect(url)
  const bad = await connect(url)
  good.sendText('x'.repeat(1000))
  assert.equal(await next(good), { type: 'text', data: 'x'.repeat(1000) })
  bad.sendText('y'.repeat(1001))
  const closed = await within(bad.closed, 5000, 'offender closed')
  assert.is(closed.code, 1009)
  good.sendText('still here')
  assert.equal(await next(good), { type: 'text', data: 'still here' })
  // wsx connect as the offender: it reports the server's close and exits 1.
  const offender = await runWsx(['connect', url], `${'z'.repeat(2000)}\n`)
  assert.is(offender.code, 1)
  assert.match(offender.stderr, /^closed 1009\b.*\n$/)
  good.close()
  await good.closed
  server.kill('SIGTERM')
  assert.is((await server.exited).code, 0)
})

e2e('serve: a client breaking the protocol is closed with 1002, the others are served', async () => {
  const { server, port, url } = await startServe()
  const good = await connect(url)
  const { connect: netConnect } = await import('node:net')
  const raw = netConnect(port, '127.0.0.1')
  await once(raw, 'connect')
  raw.write(
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  )
  let received = Buffer.alloc(0)
  raw.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk])
  })
  raw.on('error', () => {})
  await within(
    (async () => {
      while (!received.includes('\r\n\r\n')) await new Promise((resolve) => setTimeout(resolve, 5))
    })(),
    5000,
    'handshake response',
  )
  // An unmasked text frame from a client: a protocol error (RFC 6455 5.1).
  raw.write(Buffer.from([0x81, 0x02, 0x68, 0x69]))
  await within(once(raw, 'close'), 5000, 'server closes the bad client')
  const frames = received.subarray(received.indexOf('\r\n\r\n') + 4)
  assert.is(frames[0], 0x88, 'a close frame')
  assert.is(frames.readUInt16BE(2), 1002)
  good.sendText('ok')
  assert.equal(await next(good), { type: 'text', data: 'ok' })
  good.close()
  await good.closed
  server.kill('SIGTERM')
  assert.is((await server.exited).code, 0)
})

e2e('serve: SIGTERM closes a connected client with 1001 and exits 0; wsx connect exits 0 on it', async () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const { server, url } = await startServe()
    const client = await connect(url)
    const wsxClient = new Wsx(['connect', url])
    wsxClient.input('first\n', false)
    await wsxClient.waitFor(/^first\n/)
    server.kill(signal)
    const closed = await within(client.closed, 5000, 'client closed')
    assert.is(closed.code, 1001)
    assert.is((await server.exited).code, 0)
    const exit = await wsxClient.exited
    assert.is(exit.code, 0)
    assert.match(exit.stderr, /^closed 1001\b.*\n$/)
  }
})

e2e('connect: a closed port exits 1 with one stderr line', async () => {
  const port = await closedPort()
  const exit = await runWsx(['connect', `ws://127.0.0.1:${port}`])
  assert.is(exit.code, 1)
  assert.is(exit.stdout, '')
  assert.is(
    exit.stderr,
    `wsx: cannot connect to ws://127.0.0.1:${port}/: connection refused (ECONNREFUSED)\n`,
  )
})

e2e('connect: a plain HTTP server answering 404 exits 1 with one stderr line', async () => {
  const http = createHttpServer((_, response) => response.writeHead(404).end('no'))
  http.on('upgrade', (_, socket) => {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno')
  })
  http.listen(0, '127.0.0.1')
  await once(http, 'listening')
  const { port } = http.address() as { port: number }
  try {
    const exit = await runWsx(['connect', `ws://127.0.0.1:${port}/nothing`])
    assert.is(exit.code, 1)
    assert.is(exit.stderr, 'wsx: handshake failed: server answered 404 Not Found\n')
  } finally {
    http.close()
  }
})

e2e(
  'connect: binary messages print as binary:<hex>; the server closing first with 1000 exits 0',
  async () => {
    const { url, server } = await testServer((connection) => {
      connection.sendBinary(new Uint8Array([0xde, 0xad, 0xbe, 0xef]))
      connection.sendText('and text')
      connection.sendBinary(new Uint8Array(0))
      connection.close(1000, 'bye now')
    })
    const wsx = new Wsx(['connect', url])
    const exit = await wsx.exited
    assert.is(exit.stdout, 'binary:deadbeef\nand text\nbinary:\n')
    assert.is(exit.stderr, 'closed 1000 bye now\n')
    assert.is(exit.code, 0)
    await server.close()
  },
)

e2e('connect: the server closing first with 4000 exits 1', async () => {
  const { url, server } = await testServer((connection) => {
    connection.on('text', (event: { data: string }) => {
      if (event.data === 'stop') connection.close(4000, 'told to stop')
      else connection.sendText(`got ${event.data}`)
    })
  })
  const wsx = new Wsx(['connect', url, '--protocol', 'p1', '--header', 'X-Test: 1'])
  wsx.input('one\nstop\n', false)
  const exit = await wsx.exited
  assert.is(exit.stdout, 'got one\n')
  assert.is(exit.stderr, 'closed 4000 told to stop\n')
  assert.is(exit.code, 1)
  await server.close()
})

e2e(
  'connect: a server breaking the protocol, or dropping the TCP connection, exits 1 with one line',
  async () => {
    const { url, server } = await testServer((connection) => {
      connection.on('text', (event: { data: string }) => {
        // A frame with the reserved opcode 3: the client must fail the connection with 1002.
        if (event.data === 'bad frame') connection.socket.write(Buffer.from([0x83, 0x00]))
        else connection.socket.destroy()
      })
    })
    const failed = new Wsx(['connect', url])
    failed.input('bad frame\n', false)
    const failure = await failed.exited
    assert.is(failure.code, 1)
    assert.match(failure.stderr, /^wsx: connection failed: [^\n]+ \(closed 1002\)\n$/)
    const dropped = new Wsx(['connect', url])
    dropped.input('drop\n', false)
    const lost = await dropped.exited
    assert.is(lost.code, 1)
    assert.is(lost.stderr, 'wsx: connection lost: the server ended it without a close frame (1006)\n')
    await server.close()
  },
)

e2e('connect: megabytes of stdin arrive whole, stdin paused while the send buffer is full', async () => {
  let count = 0
  let bytes = 0
  const { url, server } = await testServer((connection) => {
    connection.on('text', (event: { data: string }) => {
      count++
      bytes += event.data.length
    })
    // Not reading for a while fills the kernel's buffers, then the client's send buffer.
    connection.socket.pause()
    setTimeout(() => connection.socket.resume(), 500)
  })
  const line = `${'0123456789abcdef'.repeat(64)}\n`
  const exit = await runWsx(['connect', url, '--no-deflate'], line.repeat(16_000))
  assert.is(exit.stderr, '')
  assert.is(exit.code, 0)
  assert.is(count, 16_000)
  assert.is(bytes, 16_000 * 1024)
  await server.close()
})

e2e(
  'TLS: wsx serve with the shipped certificate; connect with --ca, with --insecure, and without either',
  async () => {
    const cert = join(fixtures, 'server.pem')
    const key = join(fixtures, 'server-key.pem')
    const { server, url, port } = await startServe(['--tls-cert', cert, '--tls-key', key])
    assert.match(url, /^wss:\/\//)
    const withCa = await runWsx(
      ['connect', `wss://localhost:${port}/`, '--ca', join(fixtures, 'ca.pem')],
      'secure\n',
    )
    assert.is(withCa.stderr, '')
    assert.is(withCa.stdout, 'secure\n')
    assert.is(withCa.code, 0)
    const insecure = await runWsx(['connect', url, '--insecure'], 'anyway\n')
    assert.is(insecure.stdout, 'anyway\n')
    assert.is(insecure.code, 0)
    const untrusted = await runWsx(['connect', url], 'never\n')
    assert.is(untrusted.code, 1)
    assert.is(untrusted.stdout, '')
    assert.match(untrusted.stderr, /^wsx: cannot connect to wss:\/\/127\.0\.0\.1:\d+\/: TLS: .*\n$/)
    const missingCa = await runWsx(['connect', url, '--ca', join(fixtures, 'nope.pem')])
    assert.is(missingCa.code, 1)
    assert.match(missingCa.stderr, /^wsx: cannot read --ca .*nope\.pem: no such file \(ENOENT\)\n$/)
    server.kill('SIGTERM')
    assert.is((await server.exited).code, 0)
  },
)

e2e('serve: unreadable TLS files and a port in use exit 1 with one line', async () => {
  const missing = await runWsx([
    'serve',
    '--port',
    '0',
    '--tls-cert',
    'nope.pem',
    '--tls-key',
    'nope-key.pem',
  ])
  assert.is(missing.code, 1)
  assert.is(missing.stderr, 'wsx: cannot read --tls-cert nope.pem: no such file (ENOENT)\n')
  const cert = join(fixtures, 'server.pem')
  const otherKey = join(fixtures, 'client-key.pem')
  const mismatch = await runWsx(['serve', '--port', '0', '--tls-cert', cert, '--tls-key', otherKey])
  assert.is(mismatch.code, 1)
  assert.match(
    mismatch.stderr,
    /^wsx: cannot use --tls-cert \S+server\.pem with --tls-key \S+client-key\.pem: key values mismatch \(ERR_OSSL_X509_KEY_VALUES_MISMATCH\)\n$/,
  )
  const { server, port } = await startServe()
  const busy = await runWsx(['serve', '--port', String(port)])
  assert.is(busy.code, 1)
  assert.is(busy.stderr, `wsx: cannot serve on 127.0.0.1:${port}: address already in use (EADDRINUSE)\n`)
  server.kill('SIGTERM')
  await server.exited
})

e2e('--help for wsx, serve and connect; bad options exit 2 with one stderr line', async () => {
  for (const args of [['--help'], ['-h'], ['serve', '--help'], ['connect', '-h']]) {
    const exit = await runWsx(args)
    assert.is(exit.code, 0)
    assert.is(exit.stderr, '')
    assert.match(exit.stdout, /Usage:[\s\S]*Examples:/)
  }
  for (const args of [
    [],
    ['serve', '--bogus'],
    ['serve', '--port'],
    ['connect'],
    ['connect', 'ws://x/', '--nope'],
  ]) {
    const exit = await runWsx(args)
    assert.is(exit.code, 2, args.join(' '))
    assert.is(exit.stdout, '')
    assert.match(exit.stderr, /^wsx: [^\n]+\n$/)
  }
})

e2e('the real bin: node_modules/.bin/wsx at the repository root runs the built dist', async () => {
  const help = await runWsx(['--help'], '', 'bin')
  assert.is(help.code, 0)
  assert.match(help.stdout, /^wsx: a WebSocket echo server/)
  const server = new Wsx(['serve', '--port', '0'], 'bin')
  const [, url] = await server.waitFor(/^listening on (ws:\/\/127\.0\.0\.1:\d+)\n/m)
  const client = await runWsx(['connect', `${url}/`], 'via bin\n', 'bin')
  assert.is(client.stdout, 'via bin\n')
  assert.is(client.code, 0)
  server.kill('SIGTERM')
  assert.is((await server.exited).code, 0)
})

e2e.run()
