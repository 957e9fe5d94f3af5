/**
 * The wsx command line: parsed with node:util's parseArgs, validated, and turned into either a
 * command to run, a text to print (help or version, exit 0) or a one-line usage error (exit 2).
 */
import { readFileSync } from 'node:fs'
import { type BenchOptions, parseBench } from './args-bench.ts'
import { UsageError } from './args-common.ts'
import {
  type ConnectNetwork,
  type ConnectOptions,
  type ConnectSettings,
  parseConnect,
} from './args-connect.ts'
import { parseServe, type ServeHttp, type ServeOptions, type ServeSettings } from './args-serve.ts'
import { BENCH_HELP, CONNECT_HELP, MAIN_HELP, SERVE_HELP } from './help.ts'

export type { BenchOptions } from './args-bench.ts'
export { parseHeader } from './args-common.ts'
export type { ConnectNetwork, ConnectOptions, ConnectSettings, InputMode } from './args-connect.ts'
export {
  DEFAULT_HOST,
  DEFAULT_MAX_MESSAGE,
  DEFAULT_PORT,
  type ServeHttp,
  type ServeOptions,
  type ServeSettings,
} from './args-serve.ts'

export type Command =
  | { kind: 'help'; text: string }
  | { kind: 'usage-error'; message: string }
  | { kind: 'serve'; options: ServeOptions; settings: ServeSettings; http: ServeHttp }
  | { kind: 'connect'; options: ConnectOptions; settings: ConnectSettings; network: ConnectNetwork }
  | { kind: 'bench'; options: BenchOptions }

type Subcommand = 'serve' | 'connect' | 'bench'

const HELP: Record<Subcommand, string> = { serve: SERVE_HELP, connect: CONNECT_HELP, bench: BENCH_HELP }

const isHelpFlag = (arg: string): boolean => arg === '-h' || arg === '--help'
const isSubcommand = (arg: string): arg is Subcommand =>
  arg === 'serve' || arg === 'connect' || arg === 'bench'

/** `wsx VERSION`, from this package's package.json (one folder up from src/ and from dist/). */
export function versionText(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  return `wsx ${manifest.version}\n`
}

/** `args` is `process.argv.slice(2)`. Never throws. */
export function parseCommandLine(args: readonly string[]): Command {
  const [first, ...rest] = args
  if (first === undefined) return usage("missing command: use 'wsx serve' or 'wsx connect URL'", undefined)
  if (isHelpFlag(first) || first === 'help') return { kind: 'help', text: MAIN_HELP }
  if (first === '--version' || first === '-V') {
    if (rest.length > 0) return usage(`unexpected argument '${rest[0]}' after ${first}`, undefined)
    return { kind: 'help', text: versionText() }
  }
  if (!isSubcommand(first)) {
    const what = first.startsWith('-') ? 'unknown option' : 'unknown command'
    return usage(`${what} '${first}': use 'wsx serve' or 'wsx connect URL'`, undefined)
  }
  // Help wins over everything else given with it, as long as it comes before a `--`.
  const end = rest.indexOf('--')
  if ((end === -1 ? rest : rest.slice(0, end)).some(isHelpFlag)) return { kind: 'help', text: HELP[first] }
  try {
    if (first === 'serve') return { kind: 'serve', ...parseServe(rest) }
    if (first === 'connect') return { kind: 'connect', ...parseConnect(rest) }
    return { kind: 'bench', options: parseBench(rest) }
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message, first)
    const parsed = describeParseArgsError(error)
    if (parsed !== undefined) return usage(parsed, first)
    throw error
  }
}

function usage(message: string, command: Subcommand | undefined): Command {
  const help = command === undefined ? 'wsx --help' : `wsx ${command} --help`
  return { kind: 'usage-error', message: `wsx: ${message} (see '${help}')` }
}

/** parseArgs' own messages are several lines long; this gives one short line for each of its errors. */
function describeParseArgsError(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : ''
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? ''
  const option = quoted.replace(/ <value>$/, '')
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${option}'`
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${option}'`
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return message.includes('does not take an argument')
        ? `option '${option}' does not take a value`
        : `option '${option}' needs a value`
    default:
      return undefined
  }
}
