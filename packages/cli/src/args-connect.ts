/** The command line of `wsx connect URL [options]`. */
import { parseArgs } from 'node:util'
import { integer, nonEmpty, parseHeader, protocolList, seconds, UsageError, wsUrl } from './args-common.ts'

export interface ConnectOptions {
  url: URL
  deflate: boolean
  /** Path of a PEM file with the CA certificate(s) to trust for wss://. */
  ca: string | undefined
  insecure: boolean
  protocols: string[]
  headers: [string, string][]
}

/** How stdin becomes messages: lines of text, raw bytes, or lines of hex or base64. */
export type InputMode = 'lines' | 'binary' | 'hex' | 'base64'

/** The options added after the first version (kept apart so that ConnectOptions stays as it was). */
export interface ConnectSettings {
  input: InputMode
  /** Largest binary message made from stdin with --binary. */
  chunk: number
  jsonl: boolean
  showControl: boolean
  /** Milliseconds of silence before a ping, or undefined. */
  keepalive: number | undefined
  reconnect: boolean
  /** Attempts after a lost connection before giving up (Infinity: never give up). */
  maxRetries: number
  origin: string | undefined
  /** `user:pass` for HTTP Basic authentication. */
  auth: string | undefined
  /** Largest message accepted from the server, or undefined for the library's 16 MiB. */
  maxMessage: number | undefined
  /** Milliseconds for the TCP, TLS and WebSocket handshakes together. */
  timeout: number
}

/** The options added with HTTP/2 and proxies (kept apart so that the others stay as they were). */
export interface ConnectNetwork {
  /** RFC 8441 only (no fallback to HTTP/1.1); never through a proxy. */
  h2: boolean
  /**
   * The proxy: a URL given with --proxy, 'none' with --no-proxy (and with --h2), or 'env' to
   * read HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY.
   */
  proxy: URL | 'none' | 'env'
}

export const DEFAULT_CHUNK = 64 * 1024
export const DEFAULT_TIMEOUT = 10_000

const CONNECT_OPTIONS = {
  h2: { type: 'boolean' },
  proxy: { type: 'string' },
  'no-proxy': { type: 'boolean' },
  'no-deflate': { type: 'boolean' },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
  protocol: { type: 'string', multiple: true },
  header: { type: 'string', multiple: true },
  'show-control': { type: 'boolean' },
  binary: { type: 'boolean' },
  chunk: { type: 'string' },
  hex: { type: 'boolean' },
  base64: { type: 'boolean' },
  jsonl: { type: 'boolean' },
  keepalive: { type: 'string' },
  reconnect: { type: 'boolean' },
  'max-retries': { type: 'string' },
  origin: { type: 'string' },
  auth: { type: 'string' },
  'max-message': { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export function parseConnect(args: string[]): {
  options: ConnectOptions
  settings: ConnectSettings
  network: ConnectNetwork
} {
  const { values, positionals } = parseArgs({
    args,
    options: CONNECT_OPTIONS,
    strict: true,
    allowPositionals: true,
  })
  if (positionals.length === 0) throw new UsageError('missing URL: wsx connect ws://HOST:PORT/PATH')
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}' after the URL`)
  const url = wsUrl(positionals[0] as string)
  const modes = (['binary', 'hex', 'base64'] as const).filter((mode) => values[mode] === true)
  if (modes.length > 1) {
    throw new UsageError(`--${modes[0]} and --${modes[1]} cannot go together: choose one encoding`)
  }
  const input: InputMode = modes[0] ?? 'lines'
  if (values.chunk !== undefined && input !== 'binary') throw new UsageError('--chunk goes with --binary')
  if (values['max-retries'] !== undefined && values.reconnect !== true) {
    throw new UsageError('--max-retries goes with --reconnect')
  }
  const auth = nonEmpty(values.auth, '--auth')
  if (auth !== undefined && !auth.includes(':')) {
    throw new UsageError(`--auth must look like 'user:password', got '${auth}'`)
  }
  if (auth !== undefined && /[\r\n\0]/.test(auth)) throw new UsageError('--auth has a line break or NUL')
  const origin = nonEmpty(values.origin, '--origin')
  if (origin !== undefined && /[\r\n\0]/.test(origin))
    throw new UsageError('--origin has a line break or NUL')
  const network = parseNetwork(
    values.h2 === true,
    nonEmpty(values.proxy, '--proxy'),
    values['no-proxy'] === true,
  )
  return {
    network,
    options: {
      url,
      deflate: values['no-deflate'] !== true,
      ca: nonEmpty(values.ca, '--ca'),
      insecure: values.insecure === true,
      protocols: protocolList(values.protocol),
      headers: (values.header ?? []).map(parseHeader),
    },
    settings: {
      input,
      chunk: values.chunk === undefined ? DEFAULT_CHUNK : integer(values.chunk, '--chunk', 1, 1 << 30),
      jsonl: values.jsonl === true,
      showControl: values['show-control'] === true,
      keepalive: values.keepalive === undefined ? undefined : seconds(values.keepalive, '--keepalive'),
      reconnect: values.reconnect === true,
      maxRetries:
        values['max-retries'] === undefined
          ? Number.POSITIVE_INFINITY
          : integer(values['max-retries'], '--max-retries', 0, Number.MAX_SAFE_INTEGER),
      origin,
      auth,
      maxMessage:
        values['max-message'] === undefined
          ? undefined
          : integer(values['max-message'], '--max-message', 1, Number.MAX_SAFE_INTEGER),
      timeout: values.timeout === undefined ? DEFAULT_TIMEOUT : seconds(values.timeout, '--timeout'),
    },
  }
}

function parseNetwork(h2: boolean, proxy: string | undefined, noProxy: boolean): ConnectNetwork {
  if (proxy !== undefined && noProxy) throw new UsageError('--proxy and --no-proxy cannot go together')
  if (proxy !== undefined && h2) throw new UsageError('--h2 cannot go through --proxy: choose one')
  if (proxy === undefined) return { h2, proxy: h2 || noProxy ? 'none' : 'env' }
  let url: URL
  try {
    url = new URL(proxy)
  } catch {
    throw new UsageError(`invalid --proxy '${proxy}': expected http://HOST:PORT or https://HOST:PORT`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `unsupported --proxy scheme '${url.protocol}' in '${proxy}': use http:// or https://`,
    )
  }
  return { h2, proxy: url }
}
