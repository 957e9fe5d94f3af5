/**
 * The invariant checker every target runs under. One input is fed whole, then cut at random
 * points, then (when short) one byte at a time, each time into a fresh copy (the core may take
 * ownership of chunks and unmask them in place). A failure is: anything thrown that the target
 * does not list as a documented outcome, an `InvariantViolation` raised by the target's own
 * checks (limits, event order), an outcome that depends on the chunking, or one run of one input
 * taking longer than the hang bound.
 */
import { performance } from 'node:perf_hooks'
import type { Rng } from './rng.ts'

/** A normalised outcome: what a run delivered, in a form that compares by value. */
export type Value =
  | null
  | undefined
  | boolean
  | number
  | string
  | Uint8Array
  | readonly Value[]
  | { readonly [key: string]: Value }

/** A target's own check failed (a limit exceeded, events out of order, ...). */
export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvariantViolation'
  }
}

export function violation(message: string): never {
  throw new InvariantViolation(message)
}

export interface FuzzTarget {
  readonly name: string
  /** One input (configuration prefix included), made from its own generator. */
  generate(rng: Rng): Uint8Array
  /**
   * Feeds `input` cut before each position in `cuts` (ascending, inside the input) and returns
   * the normalised outcome. Throws `InvariantViolation` when one of its checks fails; lets
   * anything the API under test throws unexpectedly escape.
   */
  run(input: Uint8Array, cuts: readonly number[]): Value
}

export type FailureKind = 'threw' | 'invariant' | 'chunking' | 'hang'

export interface Failure {
  target: string
  kind: FailureKind
  message: string
  input: Uint8Array
  /** The chunking of the run that failed ([] is the whole input in one piece). */
  cuts: readonly number[]
}

export interface CheckOptions {
  /** One run of one input may take at most this long (ms). */
  hangMs: number
  /** Inputs up to this many bytes are also fed one byte at a time. */
  bytewiseMax: number
  /** Random chunkings per input, besides whole and byte by byte. */
  splits: number
}

export const DEFAULT_CHECK: Readonly<CheckOptions> = Object.freeze({
  hangMs: 2000,
  bytewiseMax: 512,
  splits: 1,
})

/** Calls `feed` with each piece of `input` cut at `cuts`. */
export function forEachChunk(
  input: Uint8Array,
  cuts: readonly number[],
  feed: (chunk: Uint8Array) => void,
): void {
  let start = 0
  for (const cut of cuts) {
    feed(input.subarray(start, cut))
    start = cut
  }
  feed(input.subarray(start))
}

/** Random ascending cut points inside an input of `length` bytes: a few, sometimes many. */
export function randomCuts(rng: Rng, length: number): number[] {
  if (length < 2) return []
  const cuts: number[] = []
  if (rng.chance(0.25)) {
    // Evenly sized pieces, as a stream of small TCP segments would bring.
    const step = rng.range(1, Math.max(1, Math.min(64, length >> 1)))
    for (let cut = step; cut < length; cut += step) cuts.push(cut)
    return cuts
  }
  const count = rng.range(1, Math.min(8, length - 1))
  const seen = new Set<number>()
  for (let index = 0; index < count; index++) seen.add(rng.range(1, length - 1))
  return [...seen].sort((a, b) => a - b)
}

export function bytewiseCuts(length: number): number[] {
  const cuts = new Array<number>(Math.max(0, length - 1))
  for (let index = 1; index < length; index++) cuts[index - 1] = index
  return cuts
}

/** Runs `input` through `target` in several chunkings and checks every invariant. */
export function checkInput(
  target: FuzzTarget,
  input: Uint8Array,
  rng: Rng,
  options: Readonly<CheckOptions> = DEFAULT_CHECK,
  extraChunkings: readonly (readonly number[])[] = [],
): Failure | null {
  const chunkings: (readonly number[])[] = [[], ...extraChunkings]
  for (let index = 0; index < options.splits; index++) chunkings.push(randomCuts(rng, input.length))
  if (input.length > 1 && input.length <= options.bytewiseMax) chunkings.push(bytewiseCuts(input.length))
  let reference: Value
  for (let index = 0; index < chunkings.length; index++) {
    const cuts = chunkings[index] as readonly number[]
    const fail = (kind: FailureKind, message: string): Failure => ({
      target: target.name,
      kind,
      message,
      input,
      cuts,
    })
    let outcome: Value
    const started = performance.now()
    try {
      outcome = target.run(input.slice(), cuts)
    } catch (error) {
      if (error instanceof InvariantViolation) return fail('invariant', error.message)
      return fail('threw', `unexpected exception: ${describeError(error)}`)
    }
    const elapsed = performance.now() - started
    if (elapsed > options.hangMs) {
      return fail('hang', `one run took ${elapsed.toFixed(0)} ms (bound ${options.hangMs} ms)`)
    }
    if (index === 0) {
      reference = outcome
    } else {
      const difference = findDifference(reference, outcome, 'outcome')
      if (difference !== null) {
        return fail(
          'chunking',
          `the outcome depends on the chunking (${cuts.length + 1} pieces): ${difference}`,
        )
      }
    }
  }
  return null
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    const top = error.stack?.split('\n').slice(1, 4).join(' | ').trim() ?? ''
    return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${error.message}${top ? ` (${top})` : ''}`
  }
  return String(error)
}

function isRecord(value: Value): value is { readonly [key: string]: Value } {
  return (
    typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !Array.isArray(value)
  )
}

/** The first place where `a` and `b` differ, described, or null when they are equal. */
export function findDifference(a: Value, b: Value, path: string): string | null {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array)) return `${path}: ${show(a)} vs ${show(b)}`
    if (a.length !== b.length) return `${path}: ${a.length} bytes vs ${b.length} bytes`
    if (!Buffer.from(a.buffer, a.byteOffset, a.length).equals(b)) {
      let index = 0
      while (a[index] === b[index]) index++
      return `${path}: bytes differ at offset ${index}`
    }
    return null
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b))) return `${path}: ${show(a)} vs ${show(b)}`
    const shared = Math.min(a.length, b.length)
    for (let index = 0; index < shared; index++) {
      const difference = findDifference(a[index], b[index], `${path}[${index}]`)
      if (difference !== null) return difference
    }
    if (a.length !== b.length) {
      return `${path}: ${a.length} vs ${b.length} entries (first extra: ${show(a.length > b.length ? a[shared] : b[shared])})`
    }
    return null
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)])
    for (const key of keys) {
      const difference = findDifference(a[key], b[key], `${path}.${key}`)
      if (difference !== null) return difference
    }
    return null
  }
  return Object.is(a, b) ? null : `${path}: ${show(a)} vs ${show(b)}`
}

/** A short description of a value for a failure message. */
export function show(value: Value): string {
  if (value instanceof Uint8Array) return `<${value.length} bytes>`
  const text = JSON.stringify(value, (_key, item: unknown) =>
    item instanceof Uint8Array ? `<${item.length} bytes>` : item,
  )
  if (text === undefined) return String(value)
  return text.length > 200 ? `${text.slice(0, 200)}...` : text
}
