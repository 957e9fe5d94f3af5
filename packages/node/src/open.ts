/**
 * How the Node entry opens transports for the WHATWG classes: TCP for ws://, TLS for wss://
 * (certificate and host-name verification on by default), each as a @ws/driver byte transport.
 */
import type { AbortSignalLike, ByteTransport, ConnectTarget } from '@ws/driver'
import { openTcpTransport, socketOpener } from '@ws/node-tcp'
import { type TlsClientOptions, tlsOpener } from '@ws/node-tls'

/**
 * TLS options accepted in the WebSocket options object, as Node's tls.connect and undici name
 * them: `ca`, `cert`, `key`, `passphrase`, `servername`, `minVersion`, and
 * `rejectUnauthorized: false` (or `insecure: true`) to skip verification (development only).
 */
export interface NodeTlsOptions extends TlsClientOptions {
  /** false: do not verify the server's certificate (same as `insecure: true`). Default true. */
  rejectUnauthorized?: boolean
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

/** Opens TCP (ws://) or verified TLS (wss://) for the WHATWG classes. */
export function openNodeTransport(
  target: ConnectTarget,
  signal: AbortSignalLike,
  options: Readonly<Record<string, unknown>>,
): Promise<ByteTransport> {
  if (!target.secure) return openTcpTransport(target, signal)
  const host = target.host.includes(':') ? `[${target.host}]` : target.host
  const open = socketOpener(tlsOpener(`wss://${host}:${target.port}`, tlsOptionsOf(options)))
  return open(target, signal)
}
