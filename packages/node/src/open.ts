/**
 * How the Node entry opens connections for the WHATWG classes: TCP for ws://, TLS for wss://
 * (certificate and host-name verification on by default), through an HTTP proxy when the
 * options name one, each as a @ws/driver byte transport; or a stream of a shared HTTP/2
 * session (RFC 8441) when the options ask for HTTP/2.
 */
import type { ConnectionOptions } from 'node:tls'
import type { AbortSignalLike, ByteTransport, ConnectOptions, ConnectTarget } from '@ws/driver'
import { connect as connectH2 } from '@ws/node-h2'
import { proxiedOpener, socketOpener } from '@ws/node-tcp'
import { type TlsClientOptions, tlsOpener } from '@ws/node-tls'
import type { Connector } from '@ws/web'

/**
 * TLS options accepted in the WebSocket options object, as Node's tls.connect and undici name
 * them: `ca`, `cert`, `key`, `passphrase`, `servername`, `minVersion`, and
 * `rejectUnauthorized: false` (or `insecure: true`) to skip verification (development only).
 */
export interface NodeTlsOptions extends TlsClientOptions {
  /** false: do not verify the server's certificate (same as `insecure: true`). Default true. */
  rejectUnauthorized?: boolean
}

/** Node-only options of the WHATWG classes, besides the TLS ones. */
export interface NodeWebSocketOptions extends NodeTlsOptions {
  /** An http:// or https:// proxy to tunnel through with CONNECT (credentials in the URL). */
  proxy?: string | URL
  /**
   * WebSockets over HTTP/2 (RFC 8441) on the origin's shared session: `true` falls back to
   * HTTP/1.1 when the server does not offer it, `'require'` fails instead. Default: HTTP/1.1.
   */
  http2?: boolean | 'require'
}

const TLS_KEYS = ['ca', 'cert', 'key', 'passphrase', 'servername', 'minVersion', 'insecure'] as const

/** The TLS options found in a WebSocket options object (checked by tlsOpener). */
export function tlsOptionsOf(options: Readonly<Record<string, unknown>>): TlsClientOptions {
  const tls: Record<string, unknown> = {}
  for (const key of TLS_KEYS) if (options[key] !== undefined) tls[key] = options[key]
  const reject = options.rejectUnauthorized
  if (reject !== undefined) {
    if (typeof reject !== 'boolean') throw new TypeError('rejectUnauthorized must be a boolean')
    if (!reject) tls.insecure = true
  }
  return tls as TlsClientOptions
}

function proxyOf(options: Readonly<Record<string, unknown>>): string | URL | undefined {
  const proxy = options.proxy
  if (proxy === undefined || typeof proxy === 'string' || proxy instanceof URL) return proxy
  throw new TypeError('proxy must be a URL string or a URL')
}

/** Opens TCP (ws://) or verified TLS (wss://), through `options.proxy` when given. */
export function openNodeTransport(
  target: ConnectTarget,
  signal: AbortSignalLike,
  options: Readonly<Record<string, unknown>>,
): Promise<ByteTransport> {
  const through = proxiedOpener(proxyOf(options))
  if (!target.secure) return socketOpener(through)(target, signal)
  const host = target.host.includes(':') ? `[${target.host}]` : target.host
  const open = socketOpener(
    tlsOpener(
      `wss://${host}:${target.port}`,
      tlsOptionsOf(options),
      options.proxy === undefined ? undefined : through,
    ),
  )
  return open(target, signal)
}

/**
 * One node:tls options object per distinct set of TLS options: @ws/node-h2 shares a session
 * between WebSockets whose TLS options are the same object, so equal options must give the same
 * object. Bounded: past 64 distinct sets the oldest is forgotten (a new session, nothing worse).
 */
const tlsObjects = new Map<string, ConnectionOptions>()

/** The same TLS options for node:tls, as @ws/node-h2 takes them. */
function nodeTls(options: Readonly<Record<string, unknown>>): ConnectionOptions {
  // The same keys tlsOptionsOf reads, with `insecure` spelled as node:tls spells it.
  const { insecure, ...checked } = tlsOptionsOf(options)
  const result: ConnectionOptions = { ...(checked as ConnectionOptions) }
  if (insecure === true) result.rejectUnauthorized = false
  const id = JSON.stringify(result)
  const known = tlsObjects.get(id)
  if (known !== undefined) return known
  if (tlsObjects.size >= 64) tlsObjects.delete(tlsObjects.keys().next().value as string)
  tlsObjects.set(id, result)
  return result
}

/** Takes over when the options ask for HTTP/2; null leaves the connection to the driver. */
export function connectNode(
  url: string,
  options: Readonly<Record<string, unknown>>,
): ReturnType<Connector> | null {
  const http2 = options.http2
  if (http2 === undefined || http2 === false) return null
  if (http2 !== true && http2 !== 'require') throw new TypeError("http2 must be true, false or 'require'")
  if (options.proxy !== undefined) throw new TypeError('http2 and proxy cannot be used together yet')
  const { http2: _, proxy: __, ...rest } = options
  return connectH2(url, {
    ...(rest as ConnectOptions),
    requireHttp2: http2 === 'require',
    tls: nodeTls(options),
  })
}
