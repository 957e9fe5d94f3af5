// Proves the benchmarks run and report coherent numbers. No timing assertions: speed is only
// ever reported by `pnpm bench`, never asserted in a test.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { jsonCorpus, textCorpus } from '../src/corpus.ts'
import { benchDeflate } from '../src/deflate.ts'
import { benchFrames, maskedStream } from '../src/frames.ts'
import { assertSameOutput, compare, median, sinkValue, spread } from '../src/harness.ts'
import { markdownReport } from '../src/report.ts'
import { benchSha1 } from '../src/sha1.ts'

const TINY = { rounds: 3, roundMs: 2 }

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
  const report = markdownReport(
    { cpu: 'test cpu', cores: 2, memoryGiB: 24, node: 'v20', date: '2026-01-01' },
    { sha1: rows, frames, deflate: [] },
    true,
  )
  assert.match(report, /smoke run/)
  assert.match(report, /\| 64 B \|/)
  assert.match(report, /\| 1 MiB \|/)
  assert.match(report, /\| 64 KiB \| [\d,.]+ \| [\d,.]+ \|/)
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
  const report = markdownReport(
    { cpu: 'test cpu', cores: 2, memoryGiB: 24, node: 'v20', date: '2026-01-01' },
    { sha1: [], frames: [], deflate: rows },
    true,
  )
  assert.match(report, /## Raw DEFLATE/)
  assert.match(report, /\| text 16384 B \| inflate \|/)
  assert.match(report, /\| JSON 16384 B \| deflate \|/)
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
