/**
 * A small measurement harness: ours and a peer run alternately in the same process, several
 * rounds after a warm-up, and the medians are compared. Later scenarios reuse it.
 */

export interface Contender {
  /** Does one operation and returns a number derived from its result (kept in a sink). */
  run(): number
}

export interface MeasureOptions {
  /** Rounds measured after the warm-up round. */
  rounds: number
  /** Time each side gets per round, in milliseconds. */
  roundMs: number
}

export interface SideResult {
  /** Operations per second, one value per round. */
  samples: number[]
  medianOpsPerSecond: number
  /** (max - min) / median over the rounds, as a fraction. */
  spread: number
}

export interface Comparison {
  ours: SideResult
  peer: SideResult
  /** median(ours) / median(peer): above 1 means ours is faster. */
  ratio: number
}

export const QUICK: MeasureOptions = { rounds: 2, roundMs: 20 }
export const FULL: MeasureOptions = { rounds: 7, roundMs: 300 }
/** The later scenarios' smoke run: shorter still, so that all of them take a few seconds. */
export const SMOKE: MeasureOptions = { rounds: 2, roundMs: 5 }

/** Keeps results alive so the engine cannot drop the measured work. */
let sink = 0
export function sinkValue(): number {
  return sink
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values')
  const sorted = [...values].sort((x, y) => x - y)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** (max - min) / median: how far apart the rounds were, relative to the median. */
export function spread(values: readonly number[]): number {
  return (Math.max(...values) - Math.min(...values)) / median(values)
}

/** Runs `contender` for about `ms` milliseconds and returns operations per second. */
function timeFor(contender: Contender, ms: number): number {
  let operations = 0
  let batch = 1
  const start = performance.now()
  const deadline = start + ms
  let now = start
  // The clock is read once per batch; batches grow until one takes about a millisecond.
  while (now < deadline) {
    for (let i = 0; i < batch; i++) sink ^= contender.run()
    operations += batch
    const previous = now
    now = performance.now()
    if (now - previous < 1) batch *= 2
  }
  return (operations * 1000) / (now - start)
}

/** Measures ours against the peer: a warm-up, then rounds that alternate which side goes first. */
export function compare(ours: Contender, peer: Contender, options: MeasureOptions): Comparison {
  timeFor(ours, options.roundMs)
  timeFor(peer, options.roundMs)
  const oursSamples: number[] = []
  const peerSamples: number[] = []
  for (let round = 0; round < options.rounds; round++) {
    if (round % 2 === 0) {
      oursSamples.push(timeFor(ours, options.roundMs))
      peerSamples.push(timeFor(peer, options.roundMs))
    } else {
      peerSamples.push(timeFor(peer, options.roundMs))
      oursSamples.push(timeFor(ours, options.roundMs))
    }
  }
  return comparison(oursSamples, peerSamples)
}

function comparison(oursSamples: number[], peerSamples: number[]): Comparison {
  const side = (samples: number[]): SideResult => ({
    samples,
    medianOpsPerSecond: median(samples),
    spread: spread(samples),
  })
  const oursResult = side(oursSamples)
  const peerResult = side(peerSamples)
  return {
    ours: oursResult,
    peer: peerResult,
    ratio: oursResult.medianOpsPerSecond / peerResult.medianOpsPerSecond,
  }
}

/** One timed round of an asynchronous scenario (network I/O): runs for about `ms` and returns operations per second. */
export type AsyncRound = (ms: number) => Promise<number>

/** `compare` for asynchronous rounds: a warm-up round per side, then rounds alternating which side goes first. */
export async function compareAsync(
  ours: AsyncRound,
  peer: AsyncRound,
  options: MeasureOptions,
): Promise<Comparison> {
  await ours(options.roundMs)
  await peer(options.roundMs)
  const oursSamples: number[] = []
  const peerSamples: number[] = []
  for (let round = 0; round < options.rounds; round++) {
    if (round % 2 === 0) {
      oursSamples.push(await ours(options.roundMs))
      peerSamples.push(await peer(options.roundMs))
    } else {
      peerSamples.push(await peer(options.roundMs))
      oursSamples.push(await ours(options.roundMs))
    }
  }
  return comparison(oursSamples, peerSamples)
}

/** Throws unless both sides produce the same bytes: a benchmark of a wrong result is worthless. */
export function assertSameOutput(what: string, ours: Uint8Array, peer: Uint8Array): void {
  if (ours.length !== peer.length || ours.some((byte, i) => byte !== peer[i])) {
    throw new Error(`${what}: ours and the peer disagree, refusing to benchmark`)
  }
}
