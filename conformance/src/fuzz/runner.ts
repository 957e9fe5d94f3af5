/**
 * Runs the targets round-robin from one seed, for a time budget or a number of inputs, and stops
 * at the first failure. Input `iteration` of a target comes from its own generator, derived from
 * the seed, the target's name and the iteration, so a failure can be rebuilt alone.
 */
import { performance } from 'node:perf_hooks'
import { type CheckOptions, checkInput, DEFAULT_CHECK, type Failure, type FuzzTarget } from './check.ts'
import { Rng } from './rng.ts'

export interface RunOptions {
  seed: number
  targets: readonly FuzzTarget[]
  /** Stop once this many milliseconds have passed (checked between rounds). */
  milliseconds?: number
  /** Stop after this many inputs per target. */
  iterations?: number
  /** Start at this iteration (with `iterations: 1`, runs exactly one input per target). */
  firstIteration?: number
  check?: Readonly<CheckOptions>
}

export interface TargetStats {
  name: string
  inputs: number
  /** Milliseconds spent generating and checking this target's inputs. */
  milliseconds: number
}

export interface RunFailure extends Failure {
  seed: number
  iteration: number
}

export interface RunResult {
  stats: TargetStats[]
  failure: RunFailure | null
}

/** A stable number for a target name (FNV-1a), so its inputs do not depend on which others run. */
export function nameHash(name: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < name.length; index++) {
    hash = Math.imul(hash ^ name.charCodeAt(index), 0x01000193)
  }
  return hash >>> 0
}

/** The generator of one input: the same for the same seed, target and iteration. */
export function inputRng(seed: number, targetName: string, iteration: number): Rng {
  return Rng.derive(seed, nameHash(targetName), iteration)
}

export function runFuzz(options: RunOptions): RunResult {
  const { seed, targets } = options
  const check = options.check ?? DEFAULT_CHECK
  const started = performance.now()
  const deadline = options.milliseconds === undefined ? Infinity : started + options.milliseconds
  const stats: TargetStats[] = targets.map((target) => ({ name: target.name, inputs: 0, milliseconds: 0 }))
  const first = options.firstIteration ?? 0
  const last = options.iterations === undefined ? Infinity : first + options.iterations
  for (let iteration = first; iteration < last && performance.now() < deadline; iteration++) {
    for (let index = 0; index < targets.length; index++) {
      const target = targets[index] as FuzzTarget
      const stat = stats[index] as TargetStats
      const before = performance.now()
      const rng = inputRng(seed, target.name, iteration)
      let failure: Failure | null
      try {
        failure = checkInput(target, target.generate(rng), rng, check)
      } catch (error) {
        // A generator bug is the fuzzer's own failure: report it the same way.
        failure = {
          target: target.name,
          kind: 'threw',
          message: `generator: ${String(error)}`,
          input: new Uint8Array(0),
          cuts: [],
        }
      }
      stat.inputs++
      stat.milliseconds += performance.now() - before
      if (failure !== null) return { stats, failure: { ...failure, seed, iteration } }
    }
  }
  return { stats, failure: null }
}
