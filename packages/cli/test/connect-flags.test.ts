// wsx connect's newer flags, each through the real command (a subprocess), against @ws/node-tcp
// servers written here and wsx serve. 127.0.0.1 and ephemeral ports only.
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer as createNetServer } from 'node:net'
import { WebSocketServer } from '@ws/node-tcp'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { closedPort, killAll, runWsx, startServe, Wsx, within } from './harness.ts'
import { closeServers, runRaw, stderrOf, testServer, waitUntil } from './helpers.ts'

const flags = suite('wsx connect flags')
flags.after.each(async () => {
  killAll()
  await closeServers()
})

flags('--show-control: pings, pongs and the close frame on stderr; --keepalive pings when idle', async () => {
  const pongs: string[] = []
  let pingsFromWsx = 0
  const { url, server } = await testServer((connection) => {
    connection.on('pong', (event) => pongs.push(Buffer.from(event.data).toString('hex')))
    connection.on('ping', () => {
      pingsFromWsx++
    })
    connection.ping('hello')
    connection.ping(new Uint8Array([0xff]))
    setTimeout(() => connection.close(1000, 'done'), 1200)
  })
  const wsx = new Wsx(['connect', url, '--show-control', '--keepalive', '0.3'])
  const exit = await wsx.exited
  assert.is(exit.code, 0, exit.stderr)
  const lines = exit.stderr.trimEnd().split('\n')
  assert.equal(lines.slice(0, 2), ['< ping hello', '< ping hex:ff'])
  assert.ok(lines.includes('< pong'), exit.stderr)
  assert.equal(lines.slice(-2), ['< close 1000 done', 'closed 1000 done'])
  // The library answered both pings with their payloads (RFC 6455 5.5.3), and wsx pinged when idle.
  assert.equal(pongs.slice(0, 2), [Buffer.from('hello').toString('hex'), 'ff'])
  assert.ok(pingsFromWsx >= 1)
  await server.close()
})

flags('--keepalive: a server that never answers pings is closed with 1011, exit 1', async () => {
  let closeCode = 0
  const { url, server } = await testServer(
    (connection) => {
      connection.on('close', (event) => {
        closeCode = event.code
      })
    },
    { autoPong: false },
  )
  const started = Date.now()
  const wsx = new Wsx(['connect', url, '--keepalive', '0.3'])
  const exit = await wsx.exited
  assert.is(exit.code, 1)
  assert.is(exit.stderr, 'wsx: connection failed: keepalive ping timeout (closed 1011)\n')
  assert.ok(Date.now() - started < 8000)
  await waitUntil(() => String(closeCode), /^1011$/, 'the close code the server got')
  await server.close()
})

flags(
  '--binary: stdin bytes go out as binary messages of at most --chunk bytes; echoes come back raw',
  async () => {
    const input = randomBytes(2500)
    const messages: Buffer[] = []
    const { url, server } = await testServer((connection) => {
      connection.on('binary', (event) => {
        messages.push(Buffer.from(event.data))
        connection.sendBinary(event.data)
      })
      connection.on('text', () => connection.close(1011, 'text was not expected'))
    })
    const exit = await runRaw(['connect', url, '--binary', '--chunk', '1000'], input)
    assert.is(exit.stderr, '')
    assert.is(exit.code, 0)
    assert.ok(messages.length >= 3)
    for (const message of messages) assert.ok(message.length <= 1000 && message.length > 0)
    assert.ok(Buffer.concat(messages).equals(input))
    assert.ok(exit.stdout.equals(input))
    await server.close()
  },
)

flags('--binary with wsx serve: a megabyte of random bytes comes back identical', async () => {
  const { server, url } = await startServe()
  const input = randomBytes(1024 * 1024)
  const exit = await runRaw(['connect', url, '--binary'], input)
  assert.is(exit.code, 0, exit.stderr)
  assert.ok(exit.stdout.equals(input))
  server.kill('SIGTERM')
  await server.exited
})

flags(
  '--hex and --base64: each line is one binary message; binary messages print in that encoding',
  async () => {
    const received: string[] = []
    const { url, server } = await testServer((connection) => {
      connection.on('binary', (event) => {
        received.push(Buffer.from(event.data).toString('hex'))
        connection.sendBinary(event.data)
      })
      connection.on('text', (event) => connection.sendText(`text ${event.data}`))
    })
    const hex = await runWsx(['connect', url, '--hex'], 'deadbeef\nDE AD 00\nxyz\n\n')
    assert.is(hex.code, 0)
    assert.is(hex.stdout, 'deadbeef\ndead00\n\n')
    assert.is(hex.stderr, 'wsx: stdin line 3 is not valid hex (pairs of 0-9a-f digits): not sent\n')
    assert.equal(received, ['deadbeef', 'dead00', ''])
    received.length = 0
    const text = Buffer.from('héllo wörld').toString('base64')
    const base64 = await runWsx(['connect', url, '--base64'], `${text}\nnot base64!\n`)
    assert.is(base64.code, 0)
    assert.is(base64.stdout, `${text}\n`)
    assert.match(base64.stderr, /^wsx: stdin line 2 is not valid base64 .*: not sent\n$/)
    assert.equal(received, [Buffer.from('héllo wörld').toString('hex')])
    assert.match(
      errorLine(await runWsx(['connect', url, '--hex', '--base64'])),
      /--hex and --base64 cannot go together/,
    )
    await server.close()
  },
)

flags('--jsonl: every event as a JSON line with a time stamp; exit status as without it', async () => {
  const { url, server } = await testServer(
    (connection) => {
      connection.sendText('hi')
      connection.sendBinary(new Uint8Array([1, 2, 3]))
      connection.ping('p')
      connection.close(4001, 'bye')
    },
    { handleProtocols: (offered) => (offered.includes('chat') ? 'chat' : undefined) },
  )
  const before = Date.now()
  const exit = await new Wsx(['connect', url, '--jsonl', '--protocol', 'chat']).exited
  assert.is(exit.code, 1)
  assert.is(exit.stderr, 'closed 4001 bye\n')
  const events = exit.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
  for (const event of events) {
    const time = Date.parse(String(event.time))
    assert.ok(time >= before - 1000 && time <= Date.now() + 1000, String(event.time))
    delete event.time
  }
  assert.is((events[0] as { extensions: string }).extensions.startsWith('permessage-deflate'), true)
  assert.equal(events, [
    {
      type: 'open',
      protocol: 'chat',
      extensions: (events[0] as { extensions: string }).extensions,
      status: 101,
    },
    { type: 'text', data: 'hi' },
    { type: 'binary', base64: 'AQID' },
    { type: 'ping', base64: Buffer.from('p').toString('base64') },
    { type: 'close', code: 4001, reason: 'bye', wasClean: true },
  ])
  await server.close()
})

flags('--origin and --auth are sent in the opening handshake', async () => {
  let origin: string | undefined
  let authorization: string | null | undefined
  const { url, server } = await testServer((connection, request) => {
    origin = request.origin
    authorization = request.headers.get('authorization')
    connection.close(1000)
  })
  const exit = await runWsx(['connect', url, '--origin', 'https://example.test', '--auth', 'alice:s3:cret'])
  assert.is(exit.code, 0, exit.stderr)
  assert.is(origin, 'https://example.test')
  // RFC 7617: "Basic " and the base64 of user-id ":" password.
  assert.is(authorization, `Basic ${Buffer.from('alice:s3:cret').toString('base64')}`)
  await server.close()
})

flags('--timeout: a server that never answers the handshake fails in time, exit 1', async () => {
  // Timed on the server's side, from the TCP connection to its close, so that a slow start of
  // the process does not count.
  let held = -1
  const silent = createNetServer((socket) => {
    const accepted = Date.now()
    socket.on('close', () => {
      held = Date.now() - accepted
    })
    socket.on('error', () => {})
    // Read (and ignore) the request, so that the end of the stream is seen.
    socket.resume()
  })
  silent.listen(0, '127.0.0.1')
  await once(silent, 'listening')
  try {
    const { port } = silent.address() as { port: number }
    const exit = await runWsx(['connect', `ws://127.0.0.1:${port}/`, '--timeout', '1.5'])
    assert.is(exit.code, 1)
    assert.is(
      exit.stderr,
      `wsx: cannot connect to ws://127.0.0.1:${port}/: no complete handshake in time (WS_ERR_HANDSHAKE_TIMEOUT)\n`,
    )
    await waitUntil(() => String(held), /^\d+$/, 'the socket closed')
    // 1.5 s (less the time to connect), far from the default 10 s.
    assert.ok(held >= 1000 && held < 6000, `${held} ms`)
  } finally {
    silent.close()
  }
})

flags('--max-message: a bigger message from the server fails the connection with 1009, exit 1', async () => {
  let closeCode = 0
  const { url, server } = await testServer((connection) => {
    connection.on('close', (event) => {
      closeCode = event.code
    })
    connection.sendText('x'.repeat(1000))
    connection.sendText('y'.repeat(1001))
  })
  const exit = await new Wsx(['connect', url, '--max-message', '1000']).exited
  assert.is(exit.code, 1)
  assert.is(exit.stdout, `${'x'.repeat(1000)}\n`)
  assert.match(exit.stderr, /^wsx: connection failed: [^\n]+ \(closed 1009\)\n$/)
  await waitUntil(() => String(closeCode), /^1009$/, 'the close code the server got')
  await server.close()
})

flags(
  '--reconnect: after the server goes away, lines typed meanwhile are sent in order on reconnection',
  async () => {
    const first: string[] = []
    const a = await testServer((connection) => connection.on('text', (event) => first.push(event.data)))
    const wsx = new Wsx(['connect', a.url, '--reconnect'])
    wsx.input('one\n', false)
    await waitUntil(() => first.join(','), /^one$/, 'first server')
    await a.server.close(1001, 'restarting')
    await waitUntil(stderrOf(wsx), /connection refused/, 'wsx stderr')
    wsx.input('two\nthree\n', false)
    await waitUntil(stderrOf(wsx), /reconnecting in .*\n[\s\S]*connection refused/, 'wsx stderr')
    // A new server where the first one was.
    const second: string[] = []
    const again = new WebSocketServer()
    again.on('connection', (connection) => connection.on('text', (event) => second.push(event.data)))
    await again.listen(a.port, '127.0.0.1')
    await waitUntil(() => second.join(','), /^two,three$/, 'second server')
    wsx.input('four\n')
    const exit = await wsx.exited
    assert.is(exit.code, 0, exit.stderr)
    assert.equal(second, ['two', 'three', 'four'])
    assert.match(exit.stderr, /^closed 1001 restarting\n/)
    assert.match(exit.stderr, /wsx: reconnecting in \d\.\d s \(attempt 1\)\n/)
    await again.close()
    await a.server.close()
  },
)

flags(
  '--reconnect --max-retries: gives up after that many failed attempts, with back-off, exit 1',
  async () => {
    const port = await closedPort()
    const started = Date.now()
    const exit = await runWsx(['connect', `ws://127.0.0.1:${port}/`, '--reconnect', '--max-retries', '2'], '')
    assert.is(exit.code, 1)
    const refused = `wsx: cannot connect to ws://127.0.0.1:${port}/: connection refused (ECONNREFUSED)`
    const lines = exit.stderr.trimEnd().split('\n')
    assert.is(lines.length, 6, exit.stderr)
    assert.is(lines[0], refused)
    assert.match(lines[1] as string, /^wsx: reconnecting in 0\.[1-3] s \(attempt 1 of 2\)$/)
    assert.is(lines[2], refused)
    assert.match(lines[3] as string, /^wsx: reconnecting in 0\.[3-5] s \(attempt 2 of 2\)$/)
    assert.is(lines[4], refused)
    assert.is(lines[5], 'wsx: giving up after 2 retries')
    assert.ok(Date.now() - started >= 375)
  },
)

flags('--version, and bad command lines for the new flags: exit 2 with one line', async () => {
  const version = await runWsx(['--version'])
  const manifest = JSON.parse(
    await (await import('node:fs/promises')).readFile(new URL('../package.json', import.meta.url), 'utf8'),
  ) as { version: string }
  assert.is(version.code, 0)
  assert.is(version.stdout, `wsx ${manifest.version}\n`)
  for (const args of [
    ['--version', 'x'],
    ['connect', 'ws://a/', '--chunk', '10'],
    ['connect', 'ws://a/', '--keepalive', '0'],
    ['connect', 'ws://a/', '--max-retries', '3'],
    ['connect', 'ws://a/', '--auth', 'nocolon'],
    ['serve', '--max-connections', '0'],
    ['bench'],
    ['bench', 'ws://a/', '--size', '8'],
  ]) {
    const exit = await runWsx(args)
    assert.is(exit.code, 2, `${args.join(' ')}: ${exit.stderr}`)
    assert.is(exit.stdout, '')
    assert.match(exit.stderr, /^wsx: [^\n]+\n$/)
  }
})

function errorLine(exit: { code: number | null; stderr: string }): string {
  assert.is(exit.code, 2, exit.stderr)
  return exit.stderr
}

void within
flags.run()
