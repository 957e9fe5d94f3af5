/** The command line of `wsx serve [options]`. */
import { parseArgs } from 'node:util'
import { integer, nonEmpty, protocolList, seconds, UsageError } from './args-common.ts'

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

/** The options added after the first version (kept apart so that ServeOptions stays as it was). */
export interface ServeSettings {
  /** Send every message to every other client instead of echoing it. */
  broadcast: boolean
  /** Subprotocols we speak: the first the client offers that is in this list is accepted. */
  protocols: string[]
  /** Milliseconds of silence before a ping, or undefined. */
  keepalive: number | undefined
  /** Open connections beyond which a new one gets 503, or undefined. */
  maxConnections: number | undefined
  /** One line per connection opened and closed, on stderr. */
  log: 'none' | 'text' | 'jsonl'
}

/** The options added with HTTP/2 (kept apart so that the others stay as they were). */
export interface ServeHttp {
  /** Cleartext: also accept HTTP/2 with prior knowledge (h2c) next to HTTP/1.1. */
  h2c: boolean
}

const SERVE_OPTIONS = {
  h2c: { type: 'boolean' },
  host: { type: 'string' },
  port: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'no-deflate': { type: 'boolean' },
  'max-message': { type: 'string' },
  broadcast: { type: 'boolean' },
  protocol: { type: 'string', multiple: true },
  keepalive: { type: 'string' },
  'max-connections': { type: 'string' },
  log: { type: 'boolean' },
  jsonl: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

export function parseServe(args: string[]): {
  options: ServeOptions
  settings: ServeSettings
  http: ServeHttp
} {
  const { values } = parseArgs({ args, options: SERVE_OPTIONS, strict: true, allowPositionals: false })
  const tlsCert = nonEmpty(values['tls-cert'], '--tls-cert')
  const tlsKey = nonEmpty(values['tls-key'], '--tls-key')
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new UsageError('--tls-cert and --tls-key go together: give both to serve wss://')
  }
  const host = nonEmpty(values.host, '--host') ?? DEFAULT_HOST
  if (values.h2c === true && tlsCert !== undefined) {
    throw new UsageError('--h2c is for cleartext: with --tls-cert, HTTP/2 is already served (ALPN h2)')
  }
  return {
    http: { h2c: values.h2c === true },
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
    settings: {
      broadcast: values.broadcast === true,
      protocols: protocolList(values.protocol),
      keepalive: values.keepalive === undefined ? undefined : seconds(values.keepalive, '--keepalive'),
      maxConnections:
        values['max-connections'] === undefined
          ? undefined
          : integer(values['max-connections'], '--max-connections', 1, Number.MAX_SAFE_INTEGER),
      log: values.jsonl === true ? 'jsonl' : values.log === true ? 'text' : 'none',
    },
  }
}
