// The small-message echo (four servers in rotating rounds), `wsx serve` as a spawned command, the
// iterator mode of the server child, and the tables of report-speed.ts. No timing assertions.
import { createRequire } from 'node:module'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { payload } from '../src/building.ts'
import { spawnChild, withChildren } from '../src/child.ts'
import { portOf, SERVER_SCRIPT } from '../src/echo.ts'
import type { SideResult } from '../src/harness.ts'
import { closeClients, openClients, pipeline } from '../src/load.ts'
import { markdownReport } from '../src/report.ts'
import { fanoutTable, smallEchoTable } from '../src/report-speed.ts'
import { compareRotating, pair } from '../src/rotation.ts'
import { benchSmallEcho, SMALL_ECHO_PAIRS, type SmallEchoRow } from '../src/small-echo.ts'
import { startWsxServe } from '../src/wsx-server.ts'

const TINY = { rounds: 3, roundMs: 2 }
const ENVIRONMENT = { cpu: 'test cpu', cores: 2, memoryGiB: 24, node: 'v20', date: '2026-01-01' }

interface WsClient {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void
  once(event: 'open', listener: () => void): void
  once(event: 'close', listener: (code: number) => void): void
  once(event: 'error', listener: (error: Error) => void): void
  send(data: string | Uint8Array): void
}
const WebSocket = createRequire(import.meta.url)('ws') as new (
  url: string,
  options: { perMessageDeflate: false },
) => WsClient

/** A ws client that records every message and its close code. */
async function wsClient(port: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false })
  const received: (string | Buffer)[] = []
  ws.on('message', (data, isBinary) => received.push(isBinary ? data : data.toString()))
  const closed = new Promise<number>((resolve) => ws.once('close', resolve))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  const until = async (count: number): Promise<void> => {
    for (let tries = 0; received.length < count; tries++) {
      if (tries > 500) throw new Error(`only ${received.length} of ${count} messages came back`)
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
  return { ws, received, closed, until }
}

test('rotating rounds: a warm-up per side, then every side once per round, each round starting one later', async () => {
  const calls: string[] = []
  const side =
    (name: string, rate: number) =>
    async (ms: number): Promise<number> => {
      assert.is(ms, 7)
      calls.push(name)
      return rate + calls.length
    }
  const results = await compareRotating([side('a', 100), side('b', 200), side('c', 300)], {
    rounds: 4,
    roundMs: 7,
  })
  assert.equal(calls, ['a', 'b', 'c', 'a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b', 'a', 'b', 'c'])
  // Side a ran at calls 4, 9, 11 and 13 (1-based), each returning 100 + its call number.
  assert.equal(results[0]?.samples, [104, 109, 111, 113])
  assert.is(results[0]?.medianOpsPerSecond, 110)
  assert.is(results[0]?.spread, (113 - 104) / 110)
  const comparison = pair(results[1] as SideResult, results[0] as SideResult)
  assert.is(comparison.ratio, (results[1] as SideResult).medianOpsPerSecond / 110)
})

test('the iterator-mode server child echoes text and binary exactly, in order; a bad mode is refused', async () => {
  await withChildren(async (children) => {
    const server = await spawnChild(SERVER_SCRIPT, ['ours', 'plain', 'iterator'])
    children.push(server)
    const client = await wsClient(portOf(server))
    const binary = payload(70000, 3)
    client.ws.send('héllo 🚀')
    client.ws.send(binary)
    client.ws.send('')
    await client.until(3)
    assert.is(client.received[0], 'héllo 🚀')
    assert.ok(Buffer.isBuffer(client.received[1]) && (client.received[1] as Buffer).equals(binary))
    assert.is(client.received[2], '')
    // The reading counts the one connection; an unknown command gets an error, not silence.
    assert.is((await server.request('memory')).connections, 1)
    assert.match(String((await server.request('sideways')).error), /unknown command sideways/)
  })
  await spawnChild(SERVER_SCRIPT, ['ours', 'plain', 'sideways']).then(
    () => assert.unreachable('a bad event mode must be refused'),
    (error: unknown) => assert.match(String(error), /usage: ours\|ws plain\|deflate \[listeners\|iterator\]/),
  )
})

test('wsx serve: the spawned command reports its port, echoes, and closes its clients with 1001 on SIGTERM', async () => {
  const server = await startWsxServe()
  try {
    const client = await wsClient(server.port)
    client.ws.send('echo me')
    client.ws.send(payload(1000, 5))
    await client.until(2)
    assert.is(client.received[0], 'echo me')
    assert.ok((client.received[1] as Buffer).equals(payload(1000, 5)))
    assert.is(await server.close(), 0)
    assert.is(await client.closed, 1001)
    // A second close is harmless and answers the same exit code.
    assert.is(await server.close(), 0)
  } finally {
    await server.close()
  }
  await startWsxServe(['--port', 'eighty']).then(
    () => assert.unreachable('a bad port must fail to start'),
    (error: unknown) => assert.match(String(error), /wsx serve: exited \(2\) before listening .*--port/),
  )
})

test('small echo: four servers, each checked byte for byte, every pair of interest with its target', async () => {
  const rows = await benchSmallEcho(TINY, { size: 64, connections: [1, 3], window: 4 })
  assert.equal(
    rows.map((row) => `${row.connections} ${row.server}/${row.against} ${row.target}`),
    [
      '1 listeners/ws 1.2',
      '1 iterator/ws 1.2',
      '1 iterator/listeners 0.95',
      '1 wsx/ws 1.2',
      '3 listeners/ws 1.2',
      '3 iterator/ws 1.2',
      '3 iterator/listeners 0.95',
      '3 wsx/ws 1.2',
    ],
  )
  for (const row of rows) {
    assert.is(row.payloadBytes, 64)
    assert.is(row.verified, row.connections * 2 * 4)
    for (const side of [row.ours, row.peer]) {
      assert.ok(Number.isFinite(side.medianOpsPerSecond) && side.medianOpsPerSecond > 0)
      assert.is(side.samples.length, TINY.rounds)
    }
    assert.is(row.ratio, row.ours.medianOpsPerSecond / row.peer.medianOpsPerSecond)
  }
  // The same server's results are shared by every row it appears in (one set of rounds).
  const [listenersWs, iteratorWs, iteratorListeners] = rows as [SmallEchoRow, SmallEchoRow, SmallEchoRow]
  assert.is(listenersWs.peer, iteratorWs.peer)
  assert.is(iteratorListeners.ours, iteratorWs.ours)
  assert.is(iteratorListeners.peer, listenersWs.ours)
  assert.is(SMALL_ECHO_PAIRS.length, 4)
})

test('the listeners-mode server child still echoes when its mode is named, with the loopback checks', async () => {
  await withChildren(async (children) => {
    const server = await spawnChild(SERVER_SCRIPT, ['ours', 'plain', 'listeners'])
    children.push(server)
    const clients = await openClients('ws', portOf(server), false, 2)
    try {
      const result = await pipeline(clients, ['a', payload(300, 1), 'ü'], {
        window: 3,
        limit: 6,
        exact: true,
      })
      assert.is(result.completed, 12)
    } finally {
      await closeClients(clients)
    }
  })
})

const side = (rate: number): SideResult => ({
  samples: [rate, rate, rate],
  medianOpsPerSecond: rate,
  spread: 0,
})

test('the speed tables mark each row met or not against its target', () => {
  const echoRow = (
    server: SmallEchoRow['server'],
    against: SmallEchoRow['against'],
    target: number,
    ratio: number,
  ) => ({
    server,
    against,
    target,
    payloadBytes: 64,
    connections: 50,
    window: 16,
    verified: 1600,
    ...pair(side(1000 * ratio), side(1000)),
  })
  const table = smallEchoTable([
    echoRow('listeners', 'ws', 1.2, 1.25),
    echoRow('iterator', 'listeners', 0.95, 0.94),
    echoRow('wsx', 'ws', 1.2, 1.2),
  ])
  assert.match(
    table,
    /\| ours, listeners \| ws 8\.\d+\.\d+ `WebSocketServer` \| 64 B \| 50 \| 1,250 \| 1,000 \| 1\.25 \| 0\.0% \/ 0\.0% \| >= 1\.20 \| yes \|/,
  )
  assert.match(
    table,
    /\| ours, async iterator \| ours, listeners \|.*\| 0\.94 \|.*\| >= 0\.95 \| \*\*no\*\* \|/,
  )
  assert.match(
    table,
    /\| `wsx serve --no-deflate` \| ws 8\.\d+\.\d+ `WebSocketServer` \|.*\| 1\.20 \|.*\| yes \|/,
  )
  const fan = (ratio: number) => ({
    clients: 1000,
    size: 1024,
    count: 20,
    checkedBytes: 20 * 1028,
    ...pair(side(300000 * ratio), side(300000)),
  })
  const fanout = fanoutTable([fan(3.5), fan(2.5)])
  assert.match(
    fanout,
    /\| 1,000 \| text, 1 KiB \| 20 \| 1,050,000 \| 300,000 \| 3\.50 \| 0\.0% \/ 0\.0% \| >= 3\.0 \| yes \|/,
  )
  assert.match(fanout, /\| 2\.50 \|.*\| \*\*no\*\* \|/)
  const report = markdownReport(
    ENVIRONMENT,
    {
      sha1: [],
      frames: [],
      deflate: [],
      speed: { smallEcho: [echoRow('listeners', 'ws', 1.2, 1.3)], fanout: [fan(4)] },
    },
    false,
  )
  for (const heading of [
    "## Small-message echo, fan-out, and memory against ws's client and at scale",
    '### Small-message echo: our server with listeners and with the async iterator, and `wsx serve`',
    '### Fan-out: one text message to 1,000 clients',
    "### Memory per open idle client: our `Connection` against ws's client",
    '### Memory per idle connection at scale',
  ]) {
    assert.ok(report.includes(heading), heading)
  }
  assert.match(report, /Binary messages of 64 B, 16 in flight per connection/)
  assert.match(report, /rounds of 400 ms, 7 per server/)
  assert.match(report, /exactly the frames' bytes, 20,560\nbytes here/)
})

test.run()
