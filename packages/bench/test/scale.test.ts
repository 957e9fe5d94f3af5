// Raw idle clients, the open-file limit, memory at scale with clients in several processes, and
// our Connection's memory against ws's client. No timing or memory-target assertions.
import { readdirSync, readFileSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnChild, withChildren } from '../src/child.ts'
import { benchClientWsMemory } from '../src/client-memory-ws.ts'
import { portOf, SERVER_SCRIPT, startServer } from '../src/echo.ts'
import { openFiles, parseOpenFilesLimit } from '../src/fd-limit.ts'
import { acceptFor, openRawClient, openRawClients } from '../src/raw-clients.ts'
import { markdownReport } from '../src/report.ts'
import { clientWsMemoryTable, scaleTable } from '../src/report-speed.ts'
import {
  benchScale,
  connectionsWithin,
  FD_RESERVE,
  SCALE_CLIENT_SCRIPT,
  type ScaleRow,
} from '../src/scale.ts'

const ENVIRONMENT = { cpu: 'test cpu', cores: 2, memoryGiB: 24, node: 'v20', date: '2026-01-01' }

/** A TCP server on 127.0.0.1 that answers each connection with `answer` (its index, the request's key). */
async function fakeServer(answer: (socket: Socket, index: number, key: string) => void): Promise<{
  server: Server
  port: number
  sockets: Socket[]
}> {
  const sockets: Socket[] = []
  const server = createServer((socket) => {
    const index = sockets.length
    sockets.push(socket)
    socket.on('error', () => {})
    let head = ''
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      answer(socket, index, /sec-websocket-key: (\S+)/i.exec(head)?.[1] ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as { port: number }).port, sockets }
}

const switching = (key: string): string =>
  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${key}\r\n\r\n`

test('Sec-WebSocket-Accept is computed as in RFC 6455 section 1.3', () => {
  assert.is(acceptFor('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
})

test('a raw client opens against ws and ours, and refuses a wrong status, a wrong accept, a close and silence', async () => {
  await withChildren(async (children) => {
    for (const implementation of ['ws', 'ours'] as const) {
      const server = await startServer(implementation, false)
      children.push(server)
      const clients = await openRawClients(portOf(server), 5, 2)
      assert.is(clients.length, 5)
      assert.is((await server.request('memory')).connections, 5)
      for (const client of clients) client.reset()
    }
  })
  const refusals: [string, (socket: Socket, index: number, key: string) => void, RegExp][] = [
    ['status', (socket) => socket.end('HTTP/1.1 200 OK\r\n\r\n'), /the server answered HTTP\/1\.1 200 OK/],
    ['accept', (socket) => socket.write(switching('AAAA')), /a wrong or missing Sec-WebSocket-Accept/],
    ['close', (socket) => socket.destroy(), /closed the connection during the handshake/],
    ['silence', () => {}, /no handshake answer within 200 ms/],
  ]
  for (const [what, answer, expected] of refusals) {
    const fake = await fakeServer(answer)
    try {
      await openRawClient(fake.port, 200).then(
        () => assert.unreachable(`a handshake with a wrong ${what} must fail`),
        (error: unknown) => assert.match(String(error), expected),
      )
    } finally {
      for (const socket of fake.sockets) socket.destroy()
      fake.server.close()
    }
  }
})

test('opening many raw clients stops at the first refusal and resets those already open', async () => {
  // The first three handshakes succeed (with the right accept), the fourth is refused.
  const fake = await fakeServer((socket, index, key) =>
    index < 3 ? socket.write(switching(acceptFor(key))) : socket.end('HTTP/1.1 503 Busy\r\n\r\n'),
  )
  try {
    await openRawClients(fake.port, 6, 3).then(
      () => assert.unreachable('a refused handshake must fail the batch'),
      (error: unknown) => assert.match(String(error), /503 Busy/),
    )
    // The three that opened were reset: the server sees each of them end.
    for (let tries = 0; fake.sockets.slice(0, 3).some((socket) => !socket.destroyed); tries++) {
      if (tries > 200) assert.unreachable('the opened clients were not reset')
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  } finally {
    for (const socket of fake.sockets) socket.destroy()
    fake.server.close()
  }
})

test("the open-file limit is read from Linux's /proc, and the count asked for is capped by it", () => {
  const sample = [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max processes             95712                95712                processes ',
    'Max open files            20000                1048576              files     ',
    'Max locked memory         8388608              8388608              bytes     ',
  ].join('\n')
  assert.is(parseOpenFilesLimit(sample), 20000)
  assert.is(parseOpenFilesLimit(sample.replace('20000 ', 'unlimited ')), undefined)
  assert.is(parseOpenFilesLimit('no limits here'), undefined)
  const files = openFiles()
  const soft = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1]
  assert.is(files.limit, Number(soft))
  assert.ok(files.open !== undefined && Math.abs(files.open - readdirSync('/proc/self/fd').length) <= 2)
  assert.equal(connectionsWithin(20000, { limit: 20000, open: 24 }), {
    connections: 20000 - 24 - FD_RESERVE,
    limited: true,
  })
  assert.equal(connectionsWithin(500, { limit: 20000, open: 24 }), { connections: 500, limited: false })
  assert.equal(connectionsWithin(500, { limit: null, open: null }), { connections: 500, limited: false })
  assert.equal(connectionsWithin(500, { limit: 10, open: 24 }), { connections: 0, limited: true })
})

test('the server child reports its own open-file limit and descriptors', async () => {
  await withChildren(async (children) => {
    const server = await spawnChild(SERVER_SCRIPT, ['ws', 'plain'])
    children.push(server)
    const files = await server.request('files')
    const pid = server.process.pid as number
    const soft = /^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'))?.[1]
    assert.is(files.limit, Number(soft))
    assert.ok(typeof files.open === 'number' && files.open > 3)
  })
})

test('the scale client child opens, counts and resets its clients, and reports what it cannot do', async () => {
  await withChildren(async (children) => {
    const server = await startServer('ws', false)
    children.push(server)
    const clients = await spawnChild(SCALE_CLIENT_SCRIPT, [String(portOf(server))])
    children.push(clients)
    assert.equal(await clients.request('open 7'), { open: 7 })
    assert.is((await server.request('memory')).connections, 7)
    assert.equal(await clients.request('close'), { closed: 7 })
    assert.match(String((await clients.request('open seven')).error), /unknown command open seven/)
    // A port nobody listens on: the handshake fails and nothing is counted open.
    const closed = await spawnChild(SCALE_CLIENT_SCRIPT, ['1'])
    children.push(closed)
    const answer = await closed.request('open 2')
    assert.is(answer.open, 0)
    assert.match(String(answer.error), /ECONNREFUSED/)
  })
  await spawnChild(SCALE_CLIENT_SCRIPT, ['port']).then(
    () => assert.unreachable('a bad port must be refused'),
    (error: unknown) => assert.match(String(error), /usage: scale-clients\.ts PORT/),
  )
})

test('scale: both servers hold every connection from three client processes; per-connection numbers', async () => {
  const row = await benchScale({ connections: 60, perProcess: 25 })
  assert.is(row.requested, 60)
  assert.is(row.connections, 60)
  assert.is(row.fileLimit, undefined)
  assert.is(row.clientProcesses, 3)
  for (const side of [row.ours, row.peer]) {
    // Each open connection holds kilobytes of server heap (a Node socket alone is over 1 KB).
    assert.ok(side.heapUsed > 1024, `heap per connection ${side.heapUsed}`)
    assert.ok(Number.isFinite(side.rss) && Number.isFinite(side.external))
    assert.ok(side.openMs > 0)
  }
  assert.is(row.rssRatio, row.ours.rss / row.peer.rss)
  assert.is(row.heapRatio, row.ours.heapUsed / row.peer.heapUsed)
  assert.ok(row.elapsedMs > row.ours.openMs + row.peer.openMs)
})

test("client memory: our Connection and ws's client, each in its own child, per-client numbers", async () => {
  const row = await benchClientWsMemory({ connections: 30, repeats: 2 })
  assert.is(row.connections, 30)
  for (const side of [row.ours, row.peer]) {
    assert.ok(side.heapUsed > 1024, `heap per client ${side.heapUsed}`)
    assert.ok(Number.isFinite(side.rss) && Number.isFinite(side.external))
    assert.is(side.rssSamples.length, 2)
  }
  assert.is(row.rssRatio, row.ours.rss / row.peer.rss)
  assert.is(row.heapRatio, row.ours.heapUsed / row.peer.heapUsed)
})

test('the memory tables: ratios, targets, an unusable reading, and a count capped by the file limit', () => {
  const memory = (rss: number, heapUsed: number) => ({ rss, heapUsed, external: 0, rssSamples: [rss] })
  const client = clientWsMemoryTable([
    {
      connections: 2000,
      ours: memory(10240, 4096),
      peer: memory(20480, 4096),
      rssRatio: 0.5,
      heapRatio: 1,
      target: 1,
    },
    {
      connections: 50,
      ours: memory(-512, 4096),
      peer: memory(2048, 2048),
      rssRatio: -0.25,
      heapRatio: 2,
      target: 1,
    },
  ])
  assert.match(
    client,
    /\| 2,000 \| 10\.0 KiB \| 20\.0 KiB \| 0\.50 \| 4\.0 KiB \| 4\.0 KiB \| 1\.00 \| 0\.0 KiB \| 0\.0 KiB \| <= 1\.0 \| yes \|/,
  )
  assert.match(
    client,
    /\| 50 \| -0\.5 KiB \| 2\.0 KiB \| n\/a \| 4\.0 KiB \| 2\.0 KiB \| 2\.00 \|.*\| n\/a \|/,
  )
  const side = (rss: number, heapUsed: number) => ({ rss, heapUsed, external: 0, openMs: 41_000 })
  const capped: ScaleRow = {
    requested: 20000,
    connections: 19958,
    fileLimit: 20000,
    clientProcesses: 2,
    ours: side(5632, 2560),
    peer: side(5120, 2816),
    rssRatio: 1.1,
    heapRatio: 2560 / 2816,
    elapsedMs: 100_000,
  }
  const table = scaleTable([capped, { ...capped, connections: 20000, fileLimit: undefined, rssRatio: 0.9 }])
  assert.match(
    table,
    /\| 19,958 \(20,000 asked; the servers' open-file limit is 20,000\) \| 2 \| 5\.5 KiB \| 5\.0 KiB \| 1\.10 \| 2\.5 KiB \| 2\.8 KiB \| 0\.91 \| 41\.0 s \/ 41\.0 s \| <= 1\.0 \| \*\*no\*\* \|/,
  )
  assert.match(table, /\| 20,000 \| 2 \|.*\| 0\.90 \|.*\| yes \|/)
  const report = markdownReport(
    ENVIRONMENT,
    { sha1: [], frames: [], deflate: [], speed: { scale: [capped] } },
    true,
  )
  assert.match(report, /20,000 idle plain connections asked for/)
  assert.match(report, /spread over 2 child processes/)
})

test.run()
