/** The command line of `wsx bench URL [options]`. */
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { integer, nonEmpty, seconds, UsageError, wsUrl } from './args-common.ts'

export interface BenchOptions {
  url: URL
  connections: number
  /** Messages each connection keeps in flight. */
  inFlight: number
  /** Payload bytes of each message. */
  size: number
  /** Milliseconds of load. */
  duration: number
  binary: boolean
  deflate: boolean
  /** Worker threads (never more than connections). */
  threads: number
  json: boolean
  ca: string | undefined
  insecure: boolean
}

const BENCH_OPTIONS = {
  connections: { type: 'string', short: 'c' },
  'in-flight': { type: 'string' },
  size: { type: 'string' },
  seconds: { type: 'string' },
  binary: { type: 'boolean' },
  'no-deflate': { type: 'boolean' },
  threads: { type: 'string' },
  json: { type: 'boolean' },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** The smallest payload: room for the sequence number each message carries. */
export const MIN_SIZE = 16

export function parseBench(args: string[]): BenchOptions {
  const { values, positionals } = parseArgs({
    args,
    options: BENCH_OPTIONS,
    strict: true,
    allowPositionals: true,
  })
  if (positionals.length === 0) throw new UsageError('missing URL: wsx bench ws://HOST:PORT/PATH')
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}' after the URL`)
  const url = wsUrl(positionals[0] as string)
  const connections =
    values.connections === undefined ? 10 : integer(values.connections, '--connections', 1, 100_000)
  const threads =
    values.threads === undefined ? availableParallelism() : integer(values.threads, '--threads', 1, 1024)
  return {
    url,
    connections,
    inFlight: values['in-flight'] === undefined ? 1 : integer(values['in-flight'], '--in-flight', 1, 100_000),
    size: values.size === undefined ? 64 : integer(values.size, '--size', MIN_SIZE, 256 * 1024 * 1024),
    duration: values.seconds === undefined ? 5000 : seconds(values.seconds, '--seconds'),
    binary: values.binary === true,
    deflate: values['no-deflate'] !== true,
    threads: Math.min(threads, connections),
    json: values.json === true,
    ca: nonEmpty(values.ca, '--ca'),
    insecure: values.insecure === true,
  }
}
