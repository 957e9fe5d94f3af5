/**
 * The harness's alternation for more than two sides: a warm-up round per side, then rounds in
 * which every side runs once, each round starting one side later than the one before (so no side
 * always runs first or right after the same one). Any two sides compare as the harness's
 * `Comparison`: the ratio of their medians over the same rounds.
 */
import {
  type AsyncRound,
  type Comparison,
  type MeasureOptions,
  median,
  type SideResult,
  spread,
} from './harness.ts'

export const sideResult = (samples: number[]): SideResult => ({
  samples,
  medianOpsPerSecond: median(samples),
  spread: spread(samples),
})

/** One result per side, in the order given. */
export async function compareRotating(
  sides: readonly AsyncRound[],
  options: MeasureOptions,
): Promise<SideResult[]> {
  for (const side of sides) await side(options.roundMs)
  const samples: number[][] = sides.map(() => [])
  for (let round = 0; round < options.rounds; round++) {
    for (let step = 0; step < sides.length; step++) {
      const index = (round + step) % sides.length
      ;(samples[index] as number[]).push(await (sides[index] as AsyncRound)(options.roundMs))
    }
  }
  return samples.map(sideResult)
}

/** `ours` against `peer`: ratio above 1 means `ours` is faster. */
export const pair = (ours: SideResult, peer: SideResult): Comparison => ({
  ours,
  peer,
  ratio: ours.medianOpsPerSecond / peer.medianOpsPerSecond,
})
