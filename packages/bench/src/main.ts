/**
 * `pnpm bench [--quick] [--out FILE]`: runs every benchmark, prints the tables and writes
 * docs/benchmarks.md (or FILE). `--quick` is a smoke run; it writes a file only when --out is given.
 */
import { writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchDeflate } from './deflate.ts'
import { benchFrames } from './frames.ts'
import { FULL, QUICK } from './harness.ts'
import { currentEnvironment, deflateTable, frameTable, markdownReport, sha1Table } from './report.ts'
import { benchSha1 } from './sha1.ts'

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const outIndex = args.indexOf('--out')
const out = outIndex >= 0 ? args[outIndex + 1] : undefined
if (outIndex >= 0 && !out) {
  console.error('usage: pnpm bench [--quick] [--out FILE]')
  process.exit(2)
}

const options = quick ? QUICK : FULL
console.log(`SHA-1, @ws/crypto vs node:crypto (${quick ? 'quick smoke run' : 'full run'})`)
const sha1 = benchSha1(options)
console.log(sha1Table(sha1))
console.log('\nFrame parsing, server role: @ws/proto vs ws Receiver')
const frames = benchFrames(options)
console.log(frameTable(frames))
console.log(`\nRaw DEFLATE, @ws/deflate vs node:zlib, level 6, windowBits 15`)
const deflate = benchDeflate(options)
console.log(deflateTable(deflate))

const target = out ? resolve(out) : quick ? undefined : join(workspaceRoot, 'docs', 'benchmarks.md')
if (target) {
  writeFileSync(target, markdownReport(currentEnvironment(), { sha1, frames, deflate }, quick))
  console.log(`wrote ${target}`)
}
