/** What wsx prints: received messages on stdout, errors and closes on stderr. */
import { STATUS_CODES } from 'node:http'

/** A binary message as one line (without the newline): `binary:` and lowercase hex. */
export function formatBinary(data: Uint8Array): string {
  return `binary:${Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex')}`
}

/** `closed CODE REASON`, or `closed CODE` when there is no reason. */
export function formatClosed(code: number, reason: string): string {
  return reason === '' ? `closed ${code}` : `closed ${code} ${reason}`
}

/** The printable form of a listening address: `ws://127.0.0.1:8080`, `wss://[::1]:8443`. */
export function formatListenUrl(secure: boolean, host: string, port: number): string {
  return `${secure ? 'wss' : 'ws'}://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/** Human words for socket and TLS error codes; the code itself is printed too. */
const CODE_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
  EACCES: 'permission denied',
  ENOENT: 'no such file',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS: the server certificate is self-signed; trust it with --ca FILE',
  SELF_SIGNED_CERT_IN_CHAIN:
    'TLS: the server certificate is signed by an untrusted CA; trust it with --ca FILE',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS: cannot verify the server certificate; trust its CA with --ca FILE',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    'TLS: the server certificate is signed by an unknown CA; trust it with --ca FILE',
  CERT_HAS_EXPIRED: 'TLS: the server certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS: the server certificate is not valid for this host name',
}

interface ErrorLike {
  name?: unknown
  message?: unknown
  kind?: unknown
  code?: unknown
  status?: unknown
  reason?: unknown
}

/**
 * The one stderr line for a connect() failure (a @ws/node-tcp or @ws/node-tls ConnectError, or
 * anything else thrown), e.g.
 *   wsx: cannot connect to ws://127.0.0.1:1/: connection refused (ECONNREFUSED)
 *   wsx: handshake failed: server answered 404 Not Found
 */
export function describeConnectError(error: unknown, url: string): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike
  const code = typeof e.code === 'string' ? e.code : undefined
  const message = oneLine(typeof e.message === 'string' ? e.message : String(error))
  if (e.kind === 'handshake') {
    if (typeof e.status === 'number') {
      const text = STATUS_CODES[e.status]
      return `wsx: handshake failed: server answered ${e.status}${text === undefined ? '' : ` ${text}`}`
    }
    return `wsx: handshake failed: ${withoutPrefix(message)}${code === undefined ? '' : ` (${code})`}`
  }
  if (e.name === 'ProxyError') {
    // Its message names the proxy and what went wrong (its status, or that it closed).
    return `wsx: cannot connect to ${url}: ${message}${code === undefined || code.startsWith('WS_ERR_') ? '' : ` (${code})`}`
  }
  if (e.kind === 'timeout') {
    return `wsx: cannot connect to ${url}: no complete handshake in time${code === undefined ? '' : ` (${code})`}`
  }
  const words = (code !== undefined && CODE_WORDS[code]) || withoutPrefix(message)
  return `wsx: cannot connect to ${url}: ${words}${code === undefined || words.includes(`(${code})`) ? '' : ` (${code})`}`
}

/** The line for a failure to start the server (listen, read the certificate files). */
export function describeSystemError(what: string, error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike
  const code = typeof e.code === 'string' ? e.code : undefined
  // OpenSSL errors (a key that does not match its certificate) carry a short `reason`.
  const message =
    typeof e.reason === 'string' ? e.reason : e.message === undefined ? String(error) : String(e.message)
  const words = (code !== undefined && CODE_WORDS[code]) || oneLine(message)
  return `wsx: ${what}: ${words}${code === undefined ? '' : ` (${code})`}`
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim()

/** Drops a "cannot connect to URL: " the library may already have put in front of its message. */
const withoutPrefix = (text: string): string => text.replace(/^cannot connect to \S+: /, '')
