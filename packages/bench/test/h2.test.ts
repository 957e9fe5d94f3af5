// The HTTP/2 scenarios in a tiny configuration: they run, verify what they claim (one session,
// every WebSocket open, exact echoes) and report coherent numbers. No timing assertions.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { H2SessionPool } from '../../node-h2/src/index.ts'
import { payload } from '../src/building.ts'
import { withChildren } from '../src/child.ts'
import { echoClient, openOursMany, sessionsOf } from '../src/h2-clients.ts'
import { benchH2Echo } from '../src/h2-echo.ts'
import { benchH2Memory, portFor, startH2Server } from '../src/h2-memory.ts'
import { type CpuProfile, ownerOf, profileH2Server, selfTimes } from '../src/h2-profile.ts'
import { closeClients, pipeline } from '../src/load.ts'
import { markdownReport } from '../src/report.ts'

const TINY = { rounds: 3, roundMs: 2 }
const ENVIRONMENT = { cpu: 'test cpu', cores: 2, memoryGiB: 24, node: 'v20', date: '2026-01-01' }

test('the server child counts HTTP/2 sessions as they are: one pool, one session; two pools, two', async () => {
  await withChildren(async (children) => {
    const server = await startH2Server()
    children.push(server)
    const first = new H2SessionPool()
    const second = new H2SessionPool()
    const h2Port = portFor(server, 'h2')
    const shared = await openOursMany('h2', h2Port, 4, first)
    const other = await openOursMany('h2', h2Port, 2, second)
    const tcp = await openOursMany('tcp', portFor(server, 'tcp'), 3, undefined)
    try {
      assert.is(sessionsOf(shared), 1)
      assert.is(sessionsOf([...shared, ...other]), 2)
      assert.is(sessionsOf(tcp), 0)
      assert.equal(await server.request('count'), { h2: 6, tcp: 3, sessions: 2, streamSessions: 2 })
      // Text and binary, a message larger than an HTTP/2 DATA frame, exactly and in order, both ways.
      const clients = [...shared, ...tcp].map(echoClient)
      const messages = ['héllo', payload(70000, 9), 'wörld 🚀', payload(64, 3), '']
      const result = await pipeline(clients, messages, { window: 3, limit: 10, exact: true })
      assert.is(result.completed, 70)
      assert.throws(() => clients[0]?.wireBytes(), /not available/)
    } finally {
      await closeClients([...shared, ...other, ...tcp].map(echoClient))
      first.close()
      second.close()
    }
    // `memory` first waits (up to 2 s) for sessions without WebSockets to close.
    const { h2, tcp: tcpOpen, sessions, streamSessions } = await server.request('memory')
    assert.equal(
      { h2, tcp: tcpOpen, sessions, streamSessions },
      { h2: 0, tcp: 0, sessions: 0, streamSessions: 0 },
    )
  })
})

test('an echo client reports a WebSocket that ends under a running pipeline', async () => {
  await withChildren(async (children) => {
    const server = await startH2Server()
    children.push(server)
    const pool = new H2SessionPool()
    const [connection] = await openOursMany('h2', portFor(server, 'h2'), 1, pool)
    try {
      const running = pipeline([echoClient(connection as NonNullable<typeof connection>)], [payload(64, 1)], {
        window: 2,
      })
      server.process.kill('SIGKILL')
      await running.then(
        () => assert.unreachable('a lost session must fail the pipeline'),
        (error: unknown) => assert.match(String(error), /closed unexpectedly \(1006\)/),
      )
    } finally {
      pool.close()
    }
  })
})

test('HTTP/2 memory: one session of N streams against N TCP connections, client and server, per WebSocket', async () => {
  // 150 WebSockets: at 30, a heap reading swung below zero once (-42 KB in all, about 1.4 KB per
  // WebSocket), about half of what 30 WebSockets hold; 150 hold several times that noise.
  const row = await benchH2Memory({ connections: 150, repeats: 2 })
  assert.is(row.connections, 150)
  for (const kind of [row.h2, row.tcp]) {
    for (const side of [kind.client, kind.server]) {
      // Each open WebSocket holds kilobytes of heap on both ends (its Connection and core, a
      // stream or a socket); a reading that missed them would be about 0, give or take noise.
      assert.ok(side.heapUsed > 512, `heap per WebSocket ${side.heapUsed}`)
      for (const value of [side.rss, side.external]) assert.ok(Number.isFinite(value))
      assert.is(side.rssSamples.length, 2)
    }
  }
  // Object.is: an RSS that did not move (0 / 0) gives NaN on both sides.
  assert.ok(Object.is(row.clientRssRatio, row.h2.client.rss / row.tcp.client.rss))
  assert.ok(Object.is(row.serverRssRatio, row.h2.server.rss / row.tcp.server.rss))
  assert.is(row.clientHeapRatio, row.h2.client.heapUsed / row.tcp.client.heapUsed)
  assert.is(row.serverHeapRatio, row.h2.server.heapUsed / row.tcp.server.heapUsed)
  const report = markdownReport(ENVIRONMENT, { sha1: [], frames: [], deflate: [], h2Memory: [row] }, true)
  assert.match(report, /### Memory per idle WebSocket: 150 on one HTTP\/2 connection/)
  assert.match(report, /\| client \| 150 \| -?[\d.]+ KiB \| -?[\d.]+ KiB \| (-?[\d.]+|n\/a) \| [\d.]+ KiB \|/)
  assert.match(report, /\| server \| 150 \| -?[\d.]+ KiB \|/)
  assert.match(report, /2 readings per transport/)
  const zero = { rss: 0, heapUsed: 2048, external: 0, rssSamples: [0] }
  const still = { client: zero, server: zero }
  const table = markdownReport(
    ENVIRONMENT,
    {
      sha1: [],
      frames: [],
      deflate: [],
      h2Memory: [
        {
          connections: 1000,
          h2: still,
          tcp: { client: { ...zero, heapUsed: 4096 }, server: zero },
          clientRssRatio: 0 / 0,
          clientHeapRatio: 0.5,
          serverRssRatio: 0 / 0,
          serverHeapRatio: 1,
        },
      ],
    },
    false,
  )
  assert.match(
    table,
    /\| client \| 1,000 \| 0\.0 KiB \| 0\.0 KiB \| n\/a \| 2\.0 KiB \| 4\.0 KiB \| 0\.50 \|/,
  )
  assert.match(table, /One reading per transport/)
})

test('HTTP/2 echo: N streams of one session against N TCP connections, every echo checked, finite ratios', async () => {
  const rows = await benchH2Echo(TINY, { sizes: [64, 20000], connections: [1, 3], window: 4 })
  assert.equal(
    rows.map((row) => `${row.connections} ${row.payloadBytes}`),
    ['1 64', '1 20000', '3 64', '3 20000'],
  )
  for (const row of rows) {
    assert.is(row.verified, row.connections * 2 * 4)
    for (const side of [row.ours, row.peer]) {
      assert.ok(Number.isFinite(side.medianOpsPerSecond) && side.medianOpsPerSecond > 0)
      assert.is(side.samples.length, TINY.rounds)
    }
    assert.is(row.ratio, row.ours.medianOpsPerSecond / row.peer.medianOpsPerSecond)
  }
})

test('profile reduction: self time per function within the span, by owner, most first', () => {
  const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber })
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', '') },
      { id: 2, callFrame: frame('parse', 'file:///w/packages/proto/dist/index.js', 857) },
      { id: 3, callFrame: frame('(idle)', '') },
      { id: 4, callFrame: frame('', 'node:internal/stream_base_commons', 122) },
      { id: 5, callFrame: frame('(garbage collector)', '') },
      { id: 6, callFrame: frame('parse', 'file:///w/packages/proto/dist/index.js', 857) },
    ],
    startTime: 1000,
    // Sample times: 1010 (before the span), 1020, 1030, 1040, 1050, 1060, 1070 (after it).
    samples: [4, 2, 3, 6, 4, 5, 2],
    timeDeltas: [10, 10, 10, 10, 10, 10, 10],
  }
  const result = selfTimes(profile, 1015, 1065, 2)
  assert.is(result.samples, 5)
  // Two nodes of the same function (two call paths) add up.
  assert.equal(result.top, [
    { name: 'parse', location: 'proto/dist/index.js:858', owner: 'ours', self: 0.4 },
    { name: '(idle)', location: '', owner: 'other', self: 0.2 },
  ])
  assert.equal(result.shares, { ours: 0.4, node: 0.2, other: 0, idle: 0.2, gc: 0.2 })
  assert.throws(() => selfTimes(profile, 2000, 3000, 2), /no samples/)
  assert.is(ownerOf('node:internal/http2/core'), 'node')
  assert.is(ownerOf('file:///w/packages/driver/src/connection.ts'), 'ours')
  assert.is(ownerOf('file:///w/node_modules/.pnpm/ws@8/node_modules/ws/lib/sender.js'), 'other')
})

test('HTTP/2 profile: the server child under --cpu-prof, self times of the echo span', async () => {
  const profile = await profileH2Server({ payloadBytes: 64, connections: 3, window: 4, ms: 200 }, 5)
  assert.ok(profile.messages > 0 && profile.samples > 0)
  assert.ok(profile.top.length > 0 && profile.top.length <= 5)
  for (const [index, entry] of profile.top.entries()) {
    assert.ok(entry.self > 0 && entry.self <= 1)
    if (index > 0) assert.ok(entry.self <= (profile.top[index - 1]?.self ?? 0))
  }
  const total = Object.values(profile.shares).reduce((sum, share) => sum + share, 0)
  assert.ok(Math.abs(total - 1) < 1e-9, `shares add up to ${total}`)
  assert.ok(profile.shares.ours > 0, 'our code ran in the server')
  const report = markdownReport(ENVIRONMENT, { sha1: [], frames: [], deflate: [], h2Profile: profile }, true)
  assert.match(report, /### Where the server's time goes over HTTP\/2/)
  assert.match(report, /\| `[^`]+` \| [^|]* \| (ours|Node|V8 \/ native) \| [\d.]+% \|/)
  assert.match(report, /messages of 64 B were echoed on 3 streams: idle [\d.]+%/)
})

test('the HTTP/2 echo table reports each row and its ratio h2/HTTP/1.1', () => {
  const side = { samples: [1, 1, 1], medianOpsPerSecond: 3000, spread: 0.1 }
  const report = markdownReport(
    ENVIRONMENT,
    {
      sha1: [],
      frames: [],
      deflate: [],
      h2Echo: [
        {
          payloadBytes: 16384,
          connections: 50,
          window: 16,
          verified: 1600,
          ours: side,
          peer: { ...side, medianOpsPerSecond: 6000 },
          ratio: 0.5,
        },
      ],
    },
    false,
  )
  assert.match(report, /\| 16 KiB \| 50 \| 3,000 \| 6,000 \| 0\.50 \| 10\.0% \/ 10\.0% \|/)
  assert.match(report, /rounds of 400 ms, 7 per side/)
  assert.not.match(report, /Where the server's time goes/)
})

test.run()
