/**
 * `pnpm fuzz [--seconds N] [--seed S] [--target NAME]...`: the command line of the fuzzer.
 * Also `--iterations N` (inputs per target instead of a time budget), `--iteration I` (only
 * input I: reproduces one failure), `--replay FILE` (check a saved input, with `--target`), and
 * `--out DIR` (where failing inputs are written).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { checkInput, DEFAULT_CHECK, type FuzzTarget } from './check.ts'
import { Rng } from './rng.ts'
import { type RunFailure, type RunResult, runFuzz } from './runner.ts'
import { TARGETS } from './targets.ts'

export interface CliOptions {
  seconds: number
  seed: number
  targets: readonly FuzzTarget[]
  iterations: number | undefined
  iteration: number | undefined
  replay: string | undefined
  out: string
}

export const USAGE = `usage: pnpm fuzz [--seconds N] [--seed S] [--target NAME]... [--iterations N] [--iteration I]
                 [--replay FILE --target NAME] [--out DIR]
targets: ${TARGETS.map((target) => target.name).join(', ')}`

function integer(flag: string, text: string | undefined, max: number): number {
  if (text === undefined || !/^\d+$/.test(text) || Number(text) > max) {
    throw new Error(`${flag} needs an integer from 0 to ${max}, got ${text ?? 'nothing'}`)
  }
  return Number(text)
}

/** Parses the arguments; throws an Error with a message for the user when they are wrong. */
export function parseArgs(
  args: readonly string[],
  randomSeed: () => number,
  registry: readonly FuzzTarget[] = TARGETS,
): CliOptions | 'help' {
  const options: CliOptions = {
    seconds: 60,
    seed: -1,
    targets: registry,
    iterations: undefined,
    iteration: undefined,
    replay: undefined,
    out: join(tmpdir(), 'ws-fuzz-failures'),
  }
  const chosen: FuzzTarget[] = []
  for (let index = 0; index < args.length; index++) {
    const flag = args[index] as string
    const value = args[index + 1]
    switch (flag) {
      case '--help':
      case '-h':
        return 'help'
      case '--seconds':
        options.seconds = integer(flag, value, 1_000_000)
        break
      case '--seed':
        options.seed = integer(flag, value, 0xffffffff)
        break
      case '--iterations':
        options.iterations = integer(flag, value, Number.MAX_SAFE_INTEGER)
        break
      case '--iteration':
        options.iteration = integer(flag, value, Number.MAX_SAFE_INTEGER)
        break
      case '--target':
        for (const name of (value ?? '').split(',')) {
          const target = registry.find((candidate) => candidate.name === name)
          if (target === undefined) throw new Error(`unknown target '${name}'\n${USAGE}`)
          chosen.push(target)
        }
        break
      case '--replay':
      case '--out':
        if (value === undefined) throw new Error(`${flag} needs a path`)
        if (flag === '--replay') options.replay = value
        else options.out = value
        break
      default:
        throw new Error(`unknown argument '${flag}'\n${USAGE}`)
    }
    index++
  }
  if (chosen.length > 0) options.targets = chosen
  if (options.seed < 0) options.seed = randomSeed() >>> 0
  if (options.replay !== undefined && chosen.length !== 1)
    throw new Error('--replay needs exactly one --target')
  return options
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

/** Writes the failing input and its chunking; returns the path of the input. */
export function saveFailure(failure: RunFailure, out: string): string {
  mkdirSync(out, { recursive: true })
  const stem = join(out, `${failure.target}-seed${failure.seed}-iteration${failure.iteration}`)
  writeFileSync(`${stem}.bin`, failure.input)
  writeFileSync(
    `${stem}.json`,
    `${JSON.stringify({ ...failure, input: hex(failure.input), cuts: [...failure.cuts] }, null, 2)}\n`,
  )
  return `${stem}.bin`
}

export function formatStats(result: RunResult): string {
  const rows = [
    `${'target'.padEnd(24)} ${'inputs'.padStart(9)} ${'failures'.padStart(9)} ${'inputs/s'.padStart(9)}`,
  ]
  for (const stat of result.stats) {
    const failures = result.failure?.target === stat.name ? 1 : 0
    const rate = stat.milliseconds > 0 ? Math.round((stat.inputs * 1000) / stat.milliseconds) : 0
    rows.push(
      `${stat.name.padEnd(24)} ${String(stat.inputs).padStart(9)} ${String(failures).padStart(9)} ${String(rate).padStart(9)}`,
    )
  }
  return rows.join('\n')
}

/** Runs the command; returns the exit code (0: no failure, 1: a failure, 2: bad arguments). */
export function main(
  args: readonly string[],
  log: (line: string) => void = console.log,
  randomSeed: () => number = () => Math.floor(Math.random() * 0x100000000),
  registry: readonly FuzzTarget[] = TARGETS,
): number {
  let options: CliOptions | 'help'
  try {
    options = parseArgs(args, randomSeed, registry)
  } catch (error) {
    log((error as Error).message)
    return 2
  }
  if (options === 'help') {
    log(USAGE)
    return 0
  }
  if (options.replay !== undefined) return replay(options, log)
  const names = options.targets.map((target) => target.name).join(', ')
  const budget =
    options.iteration !== undefined
      ? `iteration ${options.iteration}`
      : options.iterations !== undefined
        ? `${options.iterations} inputs per target`
        : `${options.seconds} s`
  log(`fuzz: seed ${options.seed}, ${budget}, targets: ${names}`)
  const result = runFuzz({
    seed: options.seed,
    targets: options.targets,
    ...(options.iteration !== undefined
      ? { firstIteration: options.iteration, iterations: 1 }
      : options.iterations !== undefined
        ? { iterations: options.iterations }
        : { milliseconds: options.seconds * 1000 }),
  })
  log(formatStats(result))
  const failure = result.failure
  if (failure === null) {
    log(`no failures (seed ${options.seed})`)
    return 0
  }
  log(`FAILURE in ${failure.target} (seed ${failure.seed}, iteration ${failure.iteration}): ${failure.kind}`)
  log(`  ${failure.message}`)
  log(`  chunking: ${failure.cuts.length === 0 ? 'whole input' : `${failure.cuts.length + 1} pieces`}`)
  if (failure.input.length <= 256) log(`  input (hex): ${hex(failure.input)}`)
  const path = saveFailure(failure, options.out)
  log(
    `  input (${failure.input.length} bytes) written to ${path} (chunking in ${basename(path, '.bin')}.json)`,
  )
  log(
    `  reproduce: pnpm fuzz --seed ${failure.seed} --target ${failure.target} --iteration ${failure.iteration}`,
  )
  log(`  or: pnpm fuzz --replay ${path} --target ${failure.target}`)
  return 1
}

/** Checks one saved input (and the chunking saved next to it, if any). */
function replay(options: CliOptions, log: (line: string) => void): number {
  const target = options.targets[0] as FuzzTarget
  const path = options.replay as string
  const input = new Uint8Array(readFileSync(path))
  let cuts: number[] = []
  try {
    cuts = (JSON.parse(readFileSync(path.replace(/\.bin$/, '.json'), 'utf8')) as { cuts: number[] }).cuts
  } catch {
    // No saved chunking: the checker's own chunkings still run.
  }
  const failure = checkInput(
    target,
    input,
    new Rng(options.seed),
    DEFAULT_CHECK,
    cuts.length > 0 ? [cuts] : [],
  )
  if (failure === null) {
    log(`${target.name}: ${path} (${input.length} bytes) passes`)
    return 0
  }
  log(`${target.name}: ${path} fails: ${failure.kind}: ${failure.message}`)
  return 1
}
