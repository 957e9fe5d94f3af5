// wsx bench through the real command, against wsx serve and ws's echo server; its numbers are
// checked against the servers' own counts, and a server that corrupts echoes must be caught.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { BenchSummary } from '../src/bench.ts'
import { killAll, runWsx, startServe, Wsx } from './harness.ts'
import { closeServers, testServer, waitUntil, wsEchoServer } from './helpers.ts'

const bench = suite('wsx bench')
bench.after.each(async () => {
  killAll()
  await closeServers()
})

function sane(summary: BenchSummary, connections: number, size: number): void {
  assert.is(summary.connections, connections)
  assert.is(summary.connected, connections)
  assert.is(summary.errors, 0)
  assert.equal(summary.closes, { 1000: connections })
  assert.ok(summary.messages > 0)
  assert.is(summary.messagesPerSecond, Math.round(summary.messages / summary.seconds))
  assert.is(summary.bytesPerSecond, Math.round((summary.messages * size) / summary.seconds))
  // Every message sent came back: the in-flight ones after the window too.
  assert.is(summary.received, summary.sent)
  assert.ok(summary.messages <= summary.received)
  const { p50, p90, p99, max } = summary.latencyMs
  assert.ok(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= max, JSON.stringify(summary.latencyMs))
}

bench('against wsx serve: the server counts exactly the messages bench sent', async () => {
  const { server, url } = await startServe(['--jsonl'])
  const exit = await runWsx([
    'bench',
    url,
    '--connections',
    '4',
    '--in-flight',
    '2',
    '--size',
    '100',
    '--seconds',
    '1',
    '--threads',
    '2',
    '--json',
  ])
  assert.is(exit.stderr, '')
  assert.is(exit.code, 0)
  const summary = JSON.parse(exit.stdout) as BenchSummary
  sane(summary, 4, 100)
  assert.is(summary.threads, 2)
  await new Promise((resolve) => setTimeout(resolve, 200))
  server.kill('SIGTERM')
  const log = (await server.exited).stderr
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; messagesIn: number; bytesIn: number; code: number })
  const closes = log.filter((line) => line.type === 'close')
  assert.is(closes.length, 4)
  assert.is(
    closes.reduce((sum, line) => sum + line.messagesIn, 0),
    summary.sent,
  )
  assert.is(
    closes.reduce((sum, line) => sum + line.bytesIn, 0),
    summary.sent * 100,
  )
  for (const close of closes) assert.is(close.code, 1000)
})

bench("against ws's echo server, binary without deflate; the text summary", async () => {
  const ws = await wsEchoServer()
  try {
    const exit = await runWsx([
      'bench',
      ws.url,
      '-c',
      '3',
      '--size',
      '2048',
      '--seconds',
      '1',
      '--binary',
      '--no-deflate',
      '--json',
    ])
    assert.is(exit.code, 0, exit.stderr)
    const summary = JSON.parse(exit.stdout) as BenchSummary
    sane(summary, 3, 2048)
    assert.is(summary.binary, true)
    assert.is(ws.received.messages, summary.sent)
    assert.is(ws.received.bytes, summary.sent * 2048)
    const text = await runWsx(['bench', ws.url, '-c', '1', '--seconds', '0.3', '--threads', '1'])
    assert.is(text.code, 0, text.stderr)
    // The window ends on a timer, so a busy machine stretches it past 0.3 s (a CI run failed on
    // the former `0\.3\d* s` here), and libuv's millisecond clock may end it a hair early.
    const measured = /, ([\d.]+) s\n/.exec(text.stdout)
    assert.ok(measured, text.stdout)
    const seconds = Number(measured[1])
    assert.ok(seconds >= 0.29 && seconds < 5, text.stdout)
    assert.match(
      text.stdout,
      /^wsx bench ws:\/\/127\.0\.0\.1:\d+\/: 1\/1 connections on 1 thread, 1 in flight each, 64-byte text messages, \d+(\.\d+)? s\nmessages: +\d+ echoed and checked, \d+ per second\nthroughput: [\d.]+ MB\/s of payload echoed\nlatency: +p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms\nerrors: +0\ncloses: +1000 x1\n$/,
      text.stdout,
    )
  } finally {
    await ws.close()
  }
})

bench('echoes that differ (content, length, type) are errors, and the exit status is 1', async () => {
  let count = 0
  const { url, server } = await testServer((connection) => {
    connection.on('text', (event) => {
      count++
      if (count === 5) connection.sendText(`${event.data.slice(0, -1)}!`)
      else if (count === 9) connection.sendText(event.data.slice(1))
      else if (count === 13) connection.sendBinary(new TextEncoder().encode(event.data))
      else connection.sendText(event.data)
    })
  })
  const exit = await runWsx(['bench', url, '-c', '1', '--seconds', '0.5', '--json'])
  assert.is(exit.code, 1, exit.stderr)
  const summary = JSON.parse(exit.stdout) as BenchSummary
  assert.is(summary.errors, 3)
  assert.match(exit.stderr, /echo 4 of connection 0: different content/)
  assert.match(exit.stderr, /echo 8 of connection 0: 63 characters instead of 64/)
  assert.match(exit.stderr, /echo 12 of connection 0: a binary message instead of text/)
  await server.close()
})

bench('a server that is not there: every connection is an error, exit 1', async () => {
  const { closedPort } = await import('./harness.ts')
  const port = await closedPort()
  const exit = await runWsx(['bench', `ws://127.0.0.1:${port}/`, '-c', '2', '--seconds', '0.2', '--json'])
  assert.is(exit.code, 1, exit.stderr)
  const summary = JSON.parse(exit.stdout) as BenchSummary
  assert.is(summary.errors, 2)
  assert.is(summary.connected, 0)
  assert.match(exit.stderr, /cannot connect: .*ECONNREFUSED/)
})

bench('over wss:// with --ca, and a --ca that cannot be read', async () => {
  const { join } = await import('node:path')
  const { fixtures } = await import('./harness.ts')
  const cert = join(fixtures, 'server.pem')
  const key = join(fixtures, 'server-key.pem')
  const { server, port } = await startServe(['--tls-cert', cert, '--tls-key', key])
  const url = `wss://localhost:${port}/`
  const exit = await runWsx([
    'bench',
    url,
    '-c',
    '1',
    '--threads',
    '1',
    '--seconds',
    '0.5',
    '--json',
    '--ca',
    join(fixtures, 'ca.pem'),
  ])
  assert.is(exit.code, 0, exit.stderr)
  sane(JSON.parse(exit.stdout) as BenchSummary, 1, 64)
  const missing = await runWsx(['bench', url, '--ca', 'nope.pem'])
  assert.is(missing.code, 1)
  assert.is(missing.stderr, 'wsx: cannot read --ca nope.pem: no such file (ENOENT)\n')
  server.kill('SIGTERM')
  await server.exited
})

bench('SIGINT stops the load early and reports what was measured', async () => {
  let received = 0
  const { url } = await testServer((connection) => {
    connection.on('text', (event) => {
      received++
      connection.sendText(event.data)
    })
  })
  const wsx = new Wsx(['bench', url, '-c', '1', '--threads', '1', '--seconds', '60', '--json'])
  await waitUntil(() => String(received), /^\d{3,}$/, 'a hundred messages at the server')
  wsx.kill('SIGINT')
  const exit = await wsx.exited
  assert.is(exit.code, 0, exit.stderr)
  const summary = JSON.parse(exit.stdout) as BenchSummary
  sane(summary, 1, 64)
  assert.ok(summary.seconds > 0 && summary.seconds < 20, String(summary.seconds))
  assert.is(summary.sent, received)
})

bench.run()
