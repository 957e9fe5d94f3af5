/**
 * The wsx command line: parsed with node:util's parseArgs, validated, and turned into either a
 * command to run, a help text to print (exit 0) or a one-line usage error (exit 2).
 */
import { parseArgs } from 'node:util'
import { CONNECT_HELP, MAIN_HELP, SERVE_HELP } from './help.ts'

/** The largest message `wsx serve` accepts by default: 16 MiB, @ws/proto's default. */
export const DEFAULT_MAX_MESSAGE = 16 * 1024 * 1024
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_PORT = 8080

export interface ServeOptions {
  host: string
  port: number
  /** Paths of the PEM certificate and key: both set to serve wss://, both undefined for ws://. */
  tlsCert: string | undefined
  tlsKey: string | undefined
  deflate: boolean
  maxMessage: number
}

export interface ConnectOptions {
  url: URL
  deflate: boolean
  /** Path of a PEM file with the CA certificate(s) to trust for wss://. */
  ca: string | undefined
  insecure: boolean
  protocols: string[]
  headers: [string, string][]
}

export type Command =
  | { kind: 'help'; text: string }
  | { kind: 'usage-error'; message: string }
  | { kind: 'serve'; options: ServeOptions }
  | { kind: 'connect'; options: ConnectOptions }

type Subcommand = 'serve' | 'connect'

const SERVE_OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'no-deflate': { type: 'boolean' },
  'max-message': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

const CONNECT_OPTIONS = {
  'no-deflate': { type: 'boolean' },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
  protocol: { type: 'string', multiple: true },
  header: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const

/** Thrown inside this module for a bad command line; becomes a `usage-error` command. */
class UsageError extends Error {}

const isHelpFlag = (arg: string): boolean => arg === '-h' || arg === '--help'

/** `args` is `process.argv.slice(2)`. Never throws. */
export function parseCommandLine(args: readonly string[]): Command {
  const [first, ...rest] = args
  if (first === undefined) return usage("missing command: use 'wsx serve' or 'wsx connect URL'", undefined)
  if (isHelpFlag(first) || first === 'help') return { kind: 'help', text: MAIN_HELP }
  if (first !== 'serve' && first !== 'connect') {
    const what = first.startsWith('-') ? 'unknown option' : 'unknown command'
    return usage(`${what} '${first}': use 'wsx serve' or 'wsx connect URL'`, undefined)
  }
  // Help wins over everything else given with it, as long as it comes before a `--`.
  const end = rest.indexOf('--')
  if ((end === -1 ? rest : rest.slice(0, end)).some(isHelpFlag)) {
    return { kind: 'help', text: first === 'serve' ? SERVE_HELP : CONNECT_HELP }
  }
  try {
    return first === 'serve' ? parseServe(rest) : parseConnect(rest)
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

function parseServe(args: string[]): Command {
  const { values } = parseArgs({ args, options: SERVE_OPTIONS, strict: true, allowPositionals: false })
  const tlsCert = nonEmpty(values['tls-cert'], '--tls-cert')
  const tlsKey = nonEmpty(values['tls-key'], '--tls-key')
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together: give both to serve wss://')
  }
  const host = nonEmpty(values.host, '--host') ?? DEFAULT_HOST
  return {
    kind: 'serve',
    options: {
      host,
      port: values.port === undefined ? DEFAULT_PORT : integer(values.port, '--port', 0, 65535),
      tlsCert,
      tlsKey,
      deflate: values['no-deflate'] !== true,
      maxMessage:
        values['max-message'] === undefined
          ? DEFAULT_MAX_MESSAGE
          : integer(values['max-message'], '--max-message', 1, Number.MAX_SAFE_INTEGER),
    },
  }
}

function parseConnect(args: string[]): Command {
  const { values, positionals } = parseArgs({
    args,
    options: CONNECT_OPTIONS,
    strict: true,
    allowPositionals: true,
  })
  if (positionals.length === 0) throw new UsageError('missing URL: wsx connect ws://HOST:PORT/PATH')
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}' after the URL`)
  const text = positionals[0] as string
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`invalid URL '${text}': expected ws://HOST:PORT/PATH or wss://...`)
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new UsageError(`unsupported URL scheme '${url.protocol}' in '${text}': use ws:// or wss://`)
  }
  if (url.hash !== '') throw new UsageError(`a WebSocket URL cannot have a #fragment: '${text}'`)
  const protocols = values.protocol ?? []
  for (const protocol of protocols) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(protocol)) {
      throw new UsageError(`--protocol '${protocol}' is not a valid subprotocol name (an HTTP token)`)
    }
  }
  return {
    kind: 'connect',
    options: {
      url,
      deflate: values['no-deflate'] !== true,
      ca: nonEmpty(values.ca, '--ca'),
      insecure: values.insecure === true,
      protocols,
      headers: (values.header ?? []).map(parseHeader),
    },
  }
}

function nonEmpty(value: string | undefined, option: string): string | undefined {
  if (value === '') throw new UsageError(`option '${option}' needs a value`)
  return value
}

function integer(text: string, option: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `${min} to ${max}`
    throw new UsageError(`${option} must be ${range}, got '${text}'`)
  }
  return value
}

/** `--header 'Name: value'`: the name must be an HTTP token; the value is trimmed. */
export function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':')
  const name = colon === -1 ? '' : text.slice(0, colon).trim()
  if (colon === -1 || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
    throw new UsageError(`--header '${text}' must look like 'Name: value'`)
  }
  const value = text.slice(colon + 1).trim()
  if (/[\r\n\0]/.test(value)) throw new UsageError(`--header '${name}' has a line break or NUL in its value`)
  return [name, value]
}
