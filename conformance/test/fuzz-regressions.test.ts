// Inputs the fuzzer found, kept as regression tests.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { constants, deflateRawSync } from 'node:zlib'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { checkInput, type FuzzTarget } from '../src/fuzz/check.ts'
import { encodeFrames, framesTarget } from '../src/fuzz/frames.ts'
import { concat } from '../src/fuzz/mutate.ts'
import { Rng } from '../src/fuzz/rng.ts'
import { TARGETS } from '../src/fuzz/targets.ts'

const folder = join(import.meta.dirname, '..', 'fuzz-regressions')
/** Every chunking, down to one byte at a time, for every saved input. */
const THOROUGH = { hangMs: 2000, bytewiseMax: 1 << 20, splits: 8 }

const saved = suite('saved inputs (fuzz-regressions/<target>/*.bin) pass every check')

const files = readdirSync(folder, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) =>
    readdirSync(join(folder, entry.name))
      .filter((name) => name.endsWith('.bin'))
      .map((name) => ({ target: entry.name, name })),
  )

saved('the folder holds inputs, each named after a target', () => {
  assert.ok(files.length > 0)
  for (const file of files)
    assert.ok(
      TARGETS.some((target) => target.name === file.target),
      file.target,
    )
})

for (const file of files) {
  saved(`${file.target}/${file.name}`, () => {
    const target = TARGETS.find((candidate) => candidate.name === file.target) as FuzzTarget
    const input = new Uint8Array(readFileSync(join(folder, file.target, file.name)))
    const failure = checkInput(target, input, new Rng(1), THOROUGH)
    assert.is(failure, null, failure === null ? '' : `${failure.kind}: ${failure.message}`)
  })
}

saved.run()

// ---------------------------------------------------------------------------------------------
const order = suite(
  'found by the fuzzer: the failure of a compressed message no longer depends on where chunks end',
)

/**
 * A client's compressed text message: a stored block holding 0xff (not UTF-8), then 70,000 zeros
 * (over the 64 KiB message limit). Fed whole, the inflater used to throw at the limit with the
 * 0xff never checked (1009); cut after the stored block, 0xff was checked first (1007). The
 * inflater now hands the bytes it decoded before an error along with it, and the receiver checks
 * them first: 1007 whatever the chunking.
 */
function errorOrderInput(): { input: Uint8Array; cut: number } {
  const stored = Uint8Array.of(0x00, 0x01, 0x00, 0xfe, 0xff, 0xff)
  const zeros = deflateRawSync(new Uint8Array(70000), { finishFlush: constants.Z_SYNC_FLUSH })
  const payload = concat([stored, zeros.subarray(0, zeros.length - 4)])
  assert.ok(payload.length < 126)
  const frame = encodeFrames([
    { fin: true, rsv: 0x40, opcode: 0x1, payload, mask: Uint8Array.of(0, 0, 0, 0) },
  ])
  // Configuration: server defaults; permessage-deflate with a 2^15 window, context takeover.
  return { input: concat([Uint8Array.of(0x00, 0x07), frame]), cut: 2 + 6 + stored.length }
}

order('whole, cut after the stored block, and every other chunking: 1007 WS_ERR_INVALID_UTF8', () => {
  const { input, cut } = errorOrderInput()
  const target = framesTarget('server', true)
  const last = (outcome: unknown) => {
    const events = (outcome as { events: unknown[][] }).events
    return events[events.length - 1]
  }
  const expected = ['closed', 1007, '', false, 'WS_ERR_INVALID_UTF8']
  assert.equal(last(target.run(input.slice(), [])), expected)
  assert.equal(last(target.run(input.slice(), [cut])), expected)
  assert.is(checkInput(target, input, new Rng(1), THOROUGH, [[cut]]), null)
})

order.run()
