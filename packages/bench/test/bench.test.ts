// Proves the benchmarks run and report coherent numbers. No timing assertions: speed is only
// ever reported by `pnpm bench`, never asserted in a test.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { withoutAddon, wsAddon } from '../src/addon.ts'
import { benchBuilding, oursBuild, payload, unmaskFrame, wsBuild } from '../src/building.ts'
import { spawnChild, withChildren } from '../src/child.ts'
import { benchClientMemory } from '../src/client-memory.ts'
import { jsonCorpus, jsonMessages, textCorpus } from '../src/corpus.ts'
import { benchDeflate } from '../src/deflate.ts'
import { benchDeflateEcho } from '../src/deflate-echo.ts'
import { benchEcho, portOf, startServer } from '../src/echo.ts'
import { benchFrames, maskedStream } from '../src/frames.ts'
import { assertSameOutput, compare, compareAsync, median, sinkValue, spread } from '../src/harness.ts'
import { closeClients, type EchoClient, openClient, openClients, pipeline } from '../src/load.ts'
import { benchMemory } from '../src/memory.ts'
import { markdownReport } from '../src/report.ts'
import { benchSha1 } from '../src/sha1.ts'
import { benchText, maskedTextStream, mixedText } from '../src/text.ts'
import { deliver } from '../src/web-clients.ts'
import { benchWebEcho, WEB_ECHO_PAIRS } from '../src/web-echo.ts'

const TINY = { rounds: 3, roundMs: 2 }
const ENVIRONMENT = { cpu: 'test cpu', cores: 2, memoryGiB: 24, node: 'v20', date: '2026-01-01' }

/** A comparison's numbers are finite and positive, and the ratio is that of the medians. */
function assertComparison(row: {
  ours: { medianOpsPerSecond: number; spread: number; samples: number[] }
  peer: { medianOpsPerSecond: number; spread: number; samples: number[] }
  ratio: number
}): void {
  for (const side of [row.ours, row.peer]) {
    assert.ok(Number.isFinite(side.medianOpsPerSecond) && side.medianOpsPerSecond > 0)
    assert.ok(Number.isFinite(side.spread) && side.spread >= 0)
    assert.is(side.samples.length, TINY.rounds)
  }
  assert.ok(Number.isFinite(row.ratio) && row.ratio > 0)
  assert.is(row.ratio, row.ours.medianOpsPerSecond / row.peer.medianOpsPerSecond)
}

test('median of odd and even lists, unsorted', () => {
  assert.is(median([5, 1, 3]), 3)
  assert.is(median([4, 1, 3, 2]), 2.5)
  assert.is(median([7]), 7)
  assert.throws(
    () => median([]),
    (error: unknown) => error instanceof RangeError,
  )
})

test('spread is (max - min) / median', () => {
  assert.is(spread([90, 100, 110]), 0.2)
  assert.is(spread([50, 50]), 0)
})

test('compare alternates both sides for every round and computes the ratio of medians', () => {
  let oursCalls = 0
  let peerCalls = 0
  const result = compare({ run: () => ++oursCalls }, { run: () => ++peerCalls }, TINY)
  assert.is(result.ours.samples.length, 3)
  assert.is(result.peer.samples.length, 3)
  assert.ok(oursCalls > 0 && peerCalls > 0)
  assert.is(result.ratio, result.ours.medianOpsPerSecond / result.peer.medianOpsPerSecond)
  assert.is(typeof sinkValue(), 'number')
})

test('a benchmark refuses to run when ours and the peer disagree', () => {
  assert.throws(() => assertSameOutput('x', Uint8Array.of(1, 2), Uint8Array.of(1, 3)), /disagree/)
  assert.throws(() => assertSameOutput('x', Uint8Array.of(1), Uint8Array.of(1, 3)), /disagree/)
  assertSameOutput('x', Uint8Array.of(1, 2), Uint8Array.of(1, 2))
})

test('the SHA-1 scenario reports both sizes with finite, positive rates', () => {
  const rows = benchSha1(TINY)
  assert.equal(
    rows.map((row) => row.size),
    [64, 1 << 20],
  )
  for (const row of rows) {
    for (const side of [row.ours, row.peer]) {
      assert.ok(Number.isFinite(side.medianOpsPerSecond) && side.medianOpsPerSecond > 0)
      assert.ok(Number.isFinite(side.spread) && side.spread >= 0)
    }
    assert.is(row.ratio, row.ours.medianOpsPerSecond / row.peer.medianOpsPerSecond)
  }
  const frames = benchFrames(TINY, [16, 65536])
  assert.equal(
    frames.map((row) => [row.payloadBytes, row.framesPerOp]),
    [
      [16, 8738],
      [65536, 3],
    ],
  )
  for (const row of frames) assert.ok(row.ours.medianOpsPerSecond > 0 && row.peer.medianOpsPerSecond > 0)
  const report = markdownReport(ENVIRONMENT, { sha1: rows, frames, deflate: [] }, true)
  assert.match(report, /smoke run/)
  assert.match(report, /\| 64 B \|/)
  assert.match(report, /\| 1 MiB \|/)
  assert.match(report, /\| 64 KiB \| unknown \| [\d,.]+ \| [\d,.]+ \|/)
  assert.match(report, /ws 8\.\d+\.\d+ Receiver/)
})

test('the masked stream holds whole frames that unmask to distinct payloads', () => {
  const { chunks, frames } = maskedStream(1024)
  const stream = Buffer.concat(chunks)
  assert.is(stream.length, frames * (4 + 4 + 1024))
  assert.is(stream[0], 0x82)
  assert.is(stream[1], 0x80 | 126)
  assert.is(stream.readUInt16BE(2), 1024)
})

test('the corpora are deterministic and about the size asked for', () => {
  for (const corpus of [textCorpus, jsonCorpus]) {
    const first = corpus(5000)
    assert.is(first.length, 5000)
    assert.equal(corpus(5000), first)
  }
  assert.not.equal(textCorpus(100), jsonCorpus(100))
  assert.is(new TextDecoder().decode(jsonCorpus(100)).slice(0, 7), '[{"id":')
})

test('the DEFLATE scenario reports both corpora in both directions with sizes and positive rates', () => {
  const rows = benchDeflate(TINY, 16 * 1024)
  assert.equal(
    rows.map((row) => `${row.corpus} ${row.direction}`),
    ['text inflate', 'text deflate', 'JSON inflate', 'JSON deflate'],
  )
  for (const row of rows) {
    assert.is(row.size, 16 * 1024)
    assert.ok(row.oursCompressed > 0 && row.oursCompressed < row.size)
    assert.ok(row.zlibCompressed > 0 && row.zlibCompressed < row.size)
    for (const side of [row.ours, row.peer])
      assert.ok(Number.isFinite(side.medianOpsPerSecond) && side.medianOpsPerSecond > 0)
    assert.is(row.ratio, row.ours.medianOpsPerSecond / row.peer.medianOpsPerSecond)
  }
  const report = markdownReport(ENVIRONMENT, { sha1: [], frames: [], deflate: rows }, true)
  assert.match(report, /## Raw DEFLATE/)
  assert.match(report, /\| text 16384 B \| inflate \|/)
  assert.match(report, /\| JSON 16384 B \| deflate \|/)
})

test('compareAsync alternates asynchronous rounds and computes the ratio of medians', async () => {
  const order: string[] = []
  const result = await compareAsync(
    async () => {
      order.push('ours')
      return 200
    },
    async () => {
      order.push('peer')
      return 100
    },
    TINY,
  )
  assert.equal(order, ['ours', 'peer', 'ours', 'peer', 'peer', 'ours', 'ours', 'peer'])
  assert.is(result.ratio, 2)
  assert.is(result.ours.spread, 0)
})

test('frame building: both sides build masked frames that carry the payload, for every size and ws path', () => {
  for (const size of [0, 16, 125, 126, 65535, 65536]) {
    const data = payload(size, size + 1)
    const ours = Buffer.concat(oursBuild(data)())
    assert.is(ours[0], 0x82)
    assert.ok(((ours[1] as number) & 0x80) !== 0, 'masked')
    assert.equal(Buffer.from(unmaskFrame(ours)), data)
    const untouched = Buffer.from(data)
    const ws = Buffer.concat(wsBuild(data, true)())
    assert.equal(Buffer.from(unmaskFrame(ws)), untouched)
    assert.equal(data, untouched, 'readOnly: true leaves the caller bytes alone')
  }
  const rows = benchBuilding(TINY, [16, 65536])
  assert.equal(
    rows.map((row) => `${row.payloadBytes} ${row.wsPath}`),
    ['16 readOnly: true', '16 readOnly: false', '65536 readOnly: true', '65536 readOnly: false'],
  )
  for (const row of rows) assertComparison(row)
})

test('text: mixed text has the exact UTF-8 size with multi-byte characters, and both sides decode it', () => {
  for (const size of [32, 1000, 65536]) {
    const text = mixedText(size)
    assert.is(Buffer.byteLength(text), size)
    if (size > 32) assert.ok(Buffer.byteLength(text) > text.length, 'has multi-byte characters')
  }
  assert.ok(
    Buffer.byteLength(mixedText(32)) > mixedText(32).length,
    'even the 32-byte message is not all ASCII',
  )
  const { chunks, messages } = maskedTextStream(mixedText(1000))
  assert.is(Buffer.concat(chunks).length, messages * (4 + 4 + 1000))
  const rows = benchText(TINY, [32, 1000])
  assert.equal(
    rows.map((row) => [row.messageBytes, row.messagesPerOp]),
    [
      [32, Math.floor((256 * 1024) / 38)],
      [1000, Math.floor((256 * 1024) / 1008)],
    ],
  )
  for (const row of rows) assertComparison(row)
})

test('JSON messages are deterministic, distinct and about the size asked for', () => {
  for (const size of [200, 2048]) {
    const messages = jsonMessages(50, size)
    assert.equal(jsonMessages(50, size), messages)
    assert.is(new Set(messages).size, 50)
    for (const message of messages) {
      assert.ok(
        message.length >= size * 0.6 && message.length <= size * 1.4,
        `${message.length} near ${size}`,
      )
      assert.is(typeof JSON.parse(message).type, 'string')
    }
  }
})

test('without bufferutil: ws reports its add-on, and the child run returns rows of every scenario', async () => {
  assert.is(wsAddon({ WS_NO_BUFFER_UTIL: '1' }), 'none')
  assert.is(wsAddon(), 'bufferutil', 'bufferutil is a dev dependency of the bench')
  const rows = await withoutAddon(TINY, { frames: [16], building: [16], text: [32] })
  assert.ok(rows !== undefined)
  assert.equal(
    rows.frames.map((row) => row.payloadBytes),
    [16],
  )
  assert.equal(
    rows.building.map((row) => row.wsPath),
    ['readOnly: true', 'readOnly: false'],
  )
  assert.equal(
    rows.text.map((row) => row.messageBytes),
    [32],
  )
  for (const row of [...rows.frames, ...rows.building, ...rows.text]) assertComparison(row)
})

test('a child process that fails to start rejects, and withChildren closes children even when the body throws', async () => {
  const missing = join(import.meta.dirname, 'no-such-script.ts')
  await spawnChild(missing, []).then(
    () => assert.unreachable('a missing script must not start'),
    (error: unknown) => assert.ok(error instanceof Error && /exited/.test(error.message), String(error)),
  )
  let started: import('node:child_process').ChildProcess | undefined
  await withChildren(async (children) => {
    const server = await startServer('ws', false)
    children.push(server)
    started = server.process
    assert.ok(portOf(server) > 0)
    throw new Error('boom')
  }).then(
    () => assert.unreachable('the error must come through'),
    (error: unknown) => assert.ok(error instanceof Error && error.message === 'boom'),
  )
  assert.ok(
    started !== undefined && (started.exitCode !== null || started.signalCode !== null),
    'child exited',
  )
})

test('pipeline rejects an echo that differs from what was sent', async () => {
  const liar: EchoClient = {
    send(message) {
      queueMicrotask(() => this.listener(typeof message === 'string' ? `${message}!` : message))
    },
    listener: () => {},
    wireBytes: () => ({ read: 0, written: 0 }),
    close: async () => {},
  }
  await pipeline([liar], ['a', 'b'], { window: 2, limit: 2, exact: true }).then(
    () => assert.unreachable('a wrong echo must fail'),
    (error: unknown) => assert.ok(error instanceof Error && /differs/.test(error.message)),
  )
  await pipeline([liar], ['a'], { window: 1, limit: 1 }).then(
    () => assert.unreachable('a wrong length must fail too'),
    (error: unknown) => assert.ok(error instanceof Error && /differs/.test(error.message)),
  )
})

test('loopback echo: both servers and both clients echo every message, checked, with finite ratios', async () => {
  const rows = await benchEcho(TINY, { sizes: [64, 20000], connections: [1, 3], window: 4 })
  assert.equal(
    rows.map((row) => `${row.compared} ${row.connections} ${row.payloadBytes}`),
    [
      'server 1 64',
      'server 1 20000',
      'server 3 64',
      'server 3 20000',
      'client 1 64',
      'client 1 20000',
      'client 3 64',
      'client 3 20000',
    ],
  )
  for (const row of rows) {
    assert.is(row.verified, row.connections * 2 * 4)
    assertComparison(row)
  }
  // And by hand: our client against our server in its child process echoes exactly, in order.
  await withChildren(async (children) => {
    const server = await startServer('ours', false)
    children.push(server)
    const clients = await openClients('ours', portOf(server), false, 2)
    try {
      const messages = ['héllo', payload(70000, 9), 'wörld 🚀']
      const result = await pipeline(clients, messages, { window: 3, limit: 6, exact: true })
      assert.is(result.completed, 12)
    } finally {
      await closeClients(clients)
    }
  })
})

test('permessage-deflate echo: both stacks compress every message, sizes counted, ratios finite', async () => {
  const rows = await benchDeflateEcho(TINY, { sizes: [200, 2048], messages: 24, window: 4 })
  assert.equal(
    rows.map((row) => [row.approxBytes, row.messages]),
    [
      [200, 24],
      [2048, 24],
    ],
  )
  for (const row of rows) {
    assertComparison(row)
    for (const wire of [row.oursWire, row.peerWire]) {
      assert.ok(wire.up > 0 && wire.down > 0)
      // Compressed: fewer bytes than the text in each direction (frame headers included).
      assert.ok(wire.up < row.payloadBytes && wire.down < row.payloadBytes, JSON.stringify(wire))
    }
    assert.ok(Number.isFinite(row.sizeRatio) && row.sizeRatio > 0)
    assert.is(row.sizeRatio, (row.oursWire.up + row.oursWire.down) / (row.peerWire.up + row.peerWire.down))
  }
})

test('memory per connection: each server in its own child process reports finite per-connection numbers', async () => {
  const rows = await benchMemory({ connections: 6, repeats: 2 })
  assert.equal(
    rows.map((row) => [row.deflate, row.connections]),
    [
      [false, 6],
      [true, 6],
    ],
  )
  for (const row of rows) {
    for (const side of [row.ours, row.peer]) {
      for (const value of [side.rss, side.heapUsed, side.external]) assert.ok(Number.isFinite(value))
      assert.is(side.rssSamples.length, 2)
    }
    // Object.is: with 6 connections an RSS reading may not move at all, and 0 / 0 is NaN.
    assert.ok(Object.is(row.rssRatio, row.ours.rss / row.peer.rss))
    assert.ok(Object.is(row.heapRatio, row.ours.heapUsed / row.peer.heapUsed))
  }
  const report = markdownReport(ENVIRONMENT, { sha1: [], frames: [], deflate: [], memory: rows }, true)
  assert.match(report, /\| plain \| 6 \| -?[\d.]+ KiB \|/)
  assert.match(report, /\| permessage-deflate, one message each way \| 6 \|/)
})

test('the report has a section and rows for every new scenario', () => {
  const side = { samples: [1, 1, 1], medianOpsPerSecond: 1000, spread: 0 }
  const comparison = { ours: side, peer: { ...side, medianOpsPerSecond: 500 }, ratio: 2 }
  const report = markdownReport(
    ENVIRONMENT,
    {
      sha1: [],
      frames: [],
      deflate: [],
      building: [{ payloadBytes: 125, wsPath: 'readOnly: true', wsAddon: 'none', ...comparison }],
      text: [{ messageBytes: 65536, messagesPerOp: 3, wsAddon: 'bufferutil', ...comparison }],
      echo: [
        {
          compared: 'client',
          payloadBytes: 16384,
          connections: 50,
          window: 16,
          verified: 1600,
          ...comparison,
        },
      ],
      deflateEcho: [
        {
          approxBytes: 2048,
          messages: 10,
          payloadBytes: 20000,
          oursWire: { up: 1000, down: 900 },
          peerWire: { up: 1000, down: 1000 },
          sizeRatio: 0.95,
          ...comparison,
        },
      ],
    },
    false,
  )
  assert.match(
    report,
    /\| 125 B \| `readOnly: true` \| none \| 1,000 \| 500 \| 0\.125 \| 0\.0625 \| 2\.00 \|/,
  )
  assert.match(report, /\| 64 KiB \| bufferutil \| 3,000 \| 1,500 \|/)
  assert.match(report, /\| client \| ws server \| 16 KiB \| 50 \| 1,000 \| 500 \| 2\.00 \|/)
  assert.match(
    report,
    /\| 10 JSON of ~2 KiB \(avg 2000 B\) \| 1,000 \| 500 \| 2\.00 \|.*\| 1,000 \+ 900 \| 1,000 \+ 1,000 \| 0\.950 \|/,
  )
  assert.not.match(report, /smoke run/)
})

test('WHATWG clients: our WebSocket, our WebSocketStream and undici echo text and binary exactly, in order, via the ws server', async () => {
  await withChildren(async (children) => {
    const server = await startServer('ws', false)
    children.push(server)
    const port = portOf(server)
    for (const kind of ['web', 'stream', 'undici'] as const) {
      const clients = await openClients(kind, port, false, 2)
      try {
        const messages = ['héllo', payload(70000, 9), 'wörld 🚀', payload(64, 3), '']
        const result = await pipeline(clients, messages, { window: 3, limit: 10, exact: true })
        assert.is(result.completed, 20, kind)
        assert.throws(() => clients[0]?.wireBytes(), /not available/)
      } finally {
        await closeClients(clients)
      }
    }
    await openClient('undici', port, true).then(
      () => assert.unreachable('undici cannot compress'),
      (error: unknown) => assert.ok(error instanceof Error && /cannot compress/.test(error.message)),
    )
    // undici offers permessage-deflate regardless: a server that accepts it is refused.
    const deflating = await startServer('ws', true)
    children.push(deflating)
    await openClient('undici', portOf(deflating), false).then(
      () => assert.unreachable('an agreed extension must be refused'),
      (error: unknown) =>
        assert.ok(
          error instanceof Error && /extensions were agreed \(permessage-deflate/.test(error.message),
          String(error),
        ),
    )
  })
})

test('WHATWG clients: a connection lost mid-echo rejects the pipeline, and a message of a wrong type fails', async () => {
  for (const kind of ['web', 'stream', 'undici'] as const) {
    await withChildren(async (children) => {
      const server = await startServer('ws', false)
      children.push(server)
      const clients = await openClients(kind, portOf(server), false, 1)
      try {
        const running = pipeline(clients, [payload(1024, 1)], { window: 4 })
        server.process.kill('SIGKILL')
        let timer: NodeJS.Timeout | undefined
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${kind}: the lost connection went unnoticed`)), 10000)
        })
        await Promise.race([running, late]).then(
          () => assert.unreachable('a lost connection must fail the pipeline'),
          (error: unknown) => {
            assert.ok(error instanceof Error, String(error))
            assert.not.match(error.message, /went unnoticed/)
            if (kind !== 'stream') assert.match(error.message, /closed unexpectedly \(1006\)/)
          },
        )
        clearTimeout(timer)
      } finally {
        await closeClients(clients)
      }
    })
  }
  const errors: Error[] = []
  const client: EchoClient = {
    send() {},
    listener: () => assert.unreachable('a wrong type must not reach the listener'),
    onError: (error) => errors.push(error),
    wireBytes: () => ({ read: 0, written: 0 }),
    close: async () => {},
  }
  deliver(client, 'web', Uint8Array.of(1))
  deliver(client, 'stream', new Blob(['x']))
  assert.equal(
    errors.map((error) => /unexpected type/.test(error.message)),
    [true, true],
  )
  client.onError = undefined
  assert.throws(() => deliver(client, 'undici', 42), /undici's WebSocket: a message of an unexpected type/)
})

test('WHATWG echo: each pair echoes every message, checked, with finite ratios and its target', async () => {
  const rows = await benchWebEcho(TINY, { sizes: [64, 20000], connections: [1, 3], window: 4 })
  assert.equal(
    rows.map(
      (row) =>
        `${row.client}/${row.against} ${row.server} ${row.connections} ${row.payloadBytes} ${row.target}`,
    ),
    [
      'web/undici ws 1 64 1.5',
      'web/undici ws 1 20000 1.5',
      'web/undici ws 3 64 1.5',
      'web/undici ws 3 20000 1.5',
      'web/undici ours 1 64 1.5',
      'web/undici ours 1 20000 1.5',
      'web/undici ours 3 64 1.5',
      'web/undici ours 3 20000 1.5',
      'web/ws ws 1 64 1',
      'web/ws ws 1 20000 1',
      'web/ws ws 3 64 1',
      'web/ws ws 3 20000 1',
      'web/ws ours 1 64 1',
      'web/ws ours 1 20000 1',
      'web/ws ours 3 64 1',
      'web/ws ours 3 20000 1',
      'stream/web ws 1 64 0.8',
      'stream/web ws 1 20000 0.8',
      'stream/web ws 3 64 0.8',
      'stream/web ws 3 20000 0.8',
      'stream/web ours 1 64 0.8',
      'stream/web ours 1 20000 0.8',
      'stream/web ours 3 64 0.8',
      'stream/web ours 3 20000 0.8',
    ],
  )
  for (const row of rows) {
    assert.is(row.verified, row.connections * 2 * 4)
    assertComparison(row)
  }
  assert.is(WEB_ECHO_PAIRS.length, 3)
})

test('client memory: our WebSocket and our Connection, each in its own child, per-client numbers', async () => {
  const row = await benchClientMemory({ connections: 40, repeats: 2 })
  assert.is(row.connections, 40)
  for (const side of [row.web, row.connection]) {
    // Each open client holds kilobytes of heap (a Node socket alone is more than 1 KB); a
    // reading that missed the clients would be about 0, give or take the heap's noise.
    assert.ok(side.heapUsed > 1024, `heap per client ${side.heapUsed}`)
    for (const value of [side.rss, side.external]) assert.ok(Number.isFinite(value))
    assert.is(side.rssSamples.length, 2)
  }
  assert.is(row.rssRatio, row.web.rss / row.connection.rss)
  assert.is(row.heapRatio, row.web.heapUsed / row.connection.heapUsed)
  const report = markdownReport(ENVIRONMENT, { sha1: [], frames: [], deflate: [], clientMemory: [row] }, true)
  assert.match(report, /### Memory per open idle client/)
  assert.match(report, /\| 40 \| -?[\d.]+ KiB \| -?[\d.]+ KiB \| -?[\d.]+ \|/)
  assert.match(report, /2 readings per kind/)
})

test('the WHATWG tables mark each row met or not against its target', () => {
  const side = { samples: [1, 1, 1], medianOpsPerSecond: 1000, spread: 0 }
  const comparison = (ratio: number) => ({
    ours: side,
    peer: { ...side, medianOpsPerSecond: 1000 / ratio },
    ratio,
  })
  const common = { payloadBytes: 64, connections: 50, window: 16, verified: 1600 }
  const memory = { rss: 20480, heapUsed: 10240, external: 0, rssSamples: [20480] }
  const report = markdownReport(
    ENVIRONMENT,
    {
      sha1: [],
      frames: [],
      deflate: [],
      webEcho: [
        { client: 'web', against: 'undici', target: 1.5, server: 'ws', ...common, ...comparison(2) },
        {
          client: 'web',
          against: 'ws',
          target: 1,
          server: 'ours',
          ...common,
          payloadBytes: 16384,
          ...comparison(0.5),
        },
        { client: 'stream', against: 'web', target: 0.8, server: 'ws', ...common, ...comparison(0.8) },
      ],
      clientMemory: [
        {
          connections: 2000,
          web: memory,
          connection: { ...memory, rss: 10240 },
          rssRatio: 2,
          heapRatio: 1,
          target: 1.2,
        },
      ],
    },
    false,
  )
  assert.match(
    report,
    /\| our `WebSocket` \| undici 7\.\d+\.\d+ `WebSocket` \| ws's \| 64 B \| 50 \| 1,000 \| 500 \| 2\.00 \| 0\.0% \/ 0\.0% \| >= 1\.5 \| yes \|/,
  )
  assert.match(
    report,
    /\| our `WebSocket` \| ws 8\.\d+\.\d+ client \| ours \| 16 KiB \| 50 \| 1,000 \| 2,000 \| 0\.50 \|.*\| >= 1\.0 \| \*\*no\*\* \|/,
  )
  assert.match(
    report,
    /\| our `WebSocketStream` \| our `WebSocket` \| ws's \| 64 B \|.*\| 0\.80 \|.*\| >= 0\.8 \| yes \|/,
  )
  assert.match(
    report,
    /\| 2,000 \| 20\.0 KiB \| 10\.0 KiB \| 2\.00 \| 10\.0 KiB \| 10\.0 KiB \| 1\.00 \| 0\.0 KiB \| 0\.0 KiB \| <= 1\.2 \| \*\*no\*\* \|/,
  )
  assert.match(report, /One reading per kind/)
  assert.match(report, /rounds of 400 ms, 7 per side/)
})

test('pnpm bench --quick --out FILE runs end to end and writes the report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-bench-'))
  try {
    const out = join(dir, 'benchmarks.md')
    const main = join(import.meta.dirname, '..', 'src', 'main.ts')
    const run = spawnSync(process.execPath, ['--import', 'tsx', main, '--quick', '--out', out], {
      encoding: 'utf8',
    })
    assert.is(run.status, 0, run.stderr)
    assert.match(run.stdout, /ratio ours\/peer/)
    const report = readFileSync(out, 'utf8')
    assert.match(report, /^# Benchmarks/)
    assert.match(report, /\| input \| ours MB\/s \| node:crypto MB\/s/)
    assert.match(report, /\| 64 B \|/)
    assert.match(report, /\| 1 MiB \|/)
    assert.match(report, /## Frame parsing/)
    assert.match(report, /\| text 1 MiB \| inflate \|/)
    assert.match(report, /\| JSON 1 MiB \| deflate \|/)
    for (const section of [
      '## Frame building',
      '## Text messages',
      '## Loopback echo',
      '## permessage-deflate echo',
      '## Memory per open idle connection',
      '## WHATWG clients',
      '### Memory per open idle client',
      '## WebSockets over HTTP/2 (RFC 8441) against over TCP',
      '### Echo over HTTP/2 against echo over HTTP/1.1',
      "### Where the server's time goes over HTTP/2",
      "## Small-message echo, fan-out, and memory against ws's client and at scale",
      '### Fan-out: one text message to',
      "### Memory per open idle client: our `Connection` against ws's client",
      '### Memory per idle connection at scale',
    ]) {
      assert.ok(report.includes(section), section)
    }
    assert.match(report, /\| 1 MiB \| `readOnly: true` \| bufferutil \|/)
    assert.match(report, /\| 1 MiB \| `readOnly: true` \| none \|/)
    assert.match(report, /\| 64 KiB \| none \|/)
    assert.match(report, /\| server \| ws clients \| 16 KiB \| 10 \|/)
    assert.match(report, /\| our `WebSocketStream` \| our `WebSocket` \| (ws's|ours) \| 16 KiB \| 10 \|/)
    assert.match(report, /\| 50 \| -?[\d.]+ KiB \| -?[\d.]+ KiB \|/)
    assert.match(report, /^\| server \| 50 \| -?[\d.]+ KiB \| -?[\d.]+ KiB \| (-?[\d.]+|n\/a) \|/m)
    assert.match(report, /^\| 16 KiB \| 10 \| [\d,.]+ \| [\d,.]+ \| [\d.]+ \| [\d.]+% \/ [\d.]+% \|$/m)
    const usage = spawnSync(process.execPath, ['--import', 'tsx', main, '--quick', '--out'], {
      encoding: 'utf8',
    })
    assert.is(usage.status, 2)
    assert.match(usage.stderr, /usage/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
