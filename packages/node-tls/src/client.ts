/**
 * The wss:// client: @ws/node-tcp's handshake and connection over a node:tls socket that
 * verifies the server's certificate and host name unless told otherwise.
 */
import { isIP } from 'node:net'
import type { Duplex } from 'node:stream'
import { type ConnectionOptions, type SecureVersion, type TLSSocket, connect as tlsConnect } from 'node:tls'
import {
  ConnectError,
  type Connection,
  type ConnectOptions,
  type ConnectTarget,
  connectWith,
  type OpenTransport,
  proxiedOpener,
} from '@ws/node-tcp'
import { parseTarget } from '@ws/proto'
import { checkPem, type PemInput, resolveMinVersion } from './options.ts'

export interface SecureConnectOptions extends ConnectOptions {
  /** An http:// or https:// proxy to tunnel through with CONNECT (see @ws/node-tcp's connect). */
  proxy?: string | URL
  /**
   * The CA certificates to trust (PEM), instead of Node's built-in root store. Use it for a
   * private CA or a self-signed server certificate.
   */
  ca?: PemInput
  /** A client certificate chain (PEM), for servers that ask for one. Needs `key`. */
  cert?: PemInput
  /** The private key of `cert` (PEM). */
  key?: PemInput
  /** The passphrase of an encrypted `key`. */
  passphrase?: string
  /**
   * The name sent as SNI and checked against the certificate, when it is not the URL's host
   * (for example when connecting to an IP address that serves a named host).
   */
  servername?: string
  /** The lowest TLS version to accept: 'TLSv1.2' (default) or 'TLSv1.3'. TLS 1.3 is used whenever both sides can. */
  minVersion?: SecureVersion
  /**
   * INSECURE: accept any certificate for any name (no certificate or host-name verification).
   * The connection is still encrypted, but anyone on the path can impersonate the server. For
   * local development only.
   */
  insecure?: boolean
}

/**
 * Connects to a wss:// (or https://) URL over TLS and resolves with the open connection.
 * Rejects with a ConnectError: kind 'network' with the TLS code (for example
 * 'SELF_SIGNED_CERT_IN_CHAIN' or 'ERR_TLS_CERT_ALTNAME_INVALID') when the certificate could not
 * be verified; a TypeError for ws:// URLs (use @ws/node-tcp for those).
 */
export async function connect(url: string | URL, options: SecureConnectOptions = {}): Promise<Connection> {
  const text = String(url)
  if (!parseTarget(text).secure) {
    throw new TypeError(`@ws/node-tls connects to wss:// only; use connect() from @ws/node-tcp for ${text}`)
  }
  const { ca, cert, key, passphrase, servername, minVersion, insecure, proxy, ...socketOptions } = options
  const open = tlsOpener(text, options, proxy === undefined ? undefined : proxiedOpener(proxy))
  return connectWith(text, socketOptions, open)
}

/** The TLS part of SecureConnectOptions. */
export type TlsClientOptions = Pick<
  SecureConnectOptions,
  'ca' | 'cert' | 'key' | 'passphrase' | 'servername' | 'minVersion' | 'insecure'
>

/**
 * Checks the TLS options and returns a function that opens a verified TLS socket to a target
 * (for @ws/node-tcp's connectWith; wrap it with socketOpener for a @ws/driver byte transport).
 * With `through`, TLS runs over the stream it opens instead of a new TCP connection (e.g. a
 * proxy tunnel from @ws/node-tcp's openProxyTunnel); the certificate is still checked against
 * the target's host. Throws a TypeError for bad options.
 */
export function tlsOpener(url: string, options: TlsClientOptions, through?: OpenTransport): OpenTransport {
  const { ca, cert, key, passphrase, servername, minVersion, insecure } = options
  if (cert !== undefined && key === undefined) throw new TypeError('cert needs its private key in key')
  if (servername !== undefined && (typeof servername !== 'string' || servername === '')) {
    throw new TypeError('servername must be a non-empty string')
  }
  if (insecure !== undefined && typeof insecure !== 'boolean')
    throw new TypeError('insecure must be a boolean')
  const tls: ConnectionOptions = {
    ALPNProtocols: ['http/1.1'],
    minVersion: resolveMinVersion(minVersion),
    rejectUnauthorized: insecure !== true,
  }
  const caPem = checkPem(ca, 'ca')
  const certPem = checkPem(cert, 'cert')
  const keyPem = checkPem(key, 'key')
  if (caPem !== undefined) tls.ca = caPem
  if (certPem !== undefined) tls.cert = certPem
  if (keyPem !== undefined) tls.key = keyPem
  if (passphrase !== undefined) tls.passphrase = passphrase
  if (through === undefined) return (target, signal) => openTls(url, target, signal, tls, servername)
  return async (target, signal) => {
    const socket = await through(target, signal)
    return openTls(url, target, signal, tls, servername, socket)
  }
}

/** Opens a TLS socket to the target and resolves once the TLS handshake and verification succeeded. */
function openTls(
  url: string,
  target: ConnectTarget,
  signal: AbortSignal,
  options: ConnectionOptions,
  servername: string | undefined,
  through?: Duplex,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    // SNI carries host names only (RFC 6066); an IP address is checked against the IP SANs.
    const name = servername ?? (isIP(target.host) === 0 ? target.host : undefined)
    const socket = tlsConnect({
      ...options,
      host: target.host,
      port: target.port,
      ...(through === undefined ? {} : { socket: through }),
      ...(name === undefined ? {} : { servername: name }),
    })
    const onAbort = (): void => {
      socket.destroy()
      reject(signal.reason)
    }
    const onError = (error: Error): void => {
      signal.removeEventListener('abort', onAbort)
      reject(tlsError(url, socket, error))
    }
    signal.addEventListener('abort', onAbort, { once: true })
    socket.once('error', onError)
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort)
      socket.removeListener('error', onError)
      resolve(socket)
    })
  })
}

/**
 * A ConnectError for a failed TLS connection. A certificate that fails verification (chain or
 * host name) sets `authorizationError` on the socket before node:tls destroys the socket with
 * that error; OpenSSL's own failures have an ERR_SSL_ code and a short `reason`. Anything else
 * (refused, reset, ...) goes back as it is: @ws/node-tcp's connectWith names it.
 */
function tlsError(url: string, socket: TLSSocket, error: Error): unknown {
  const { code, reason } = error as { code?: unknown; reason?: unknown }
  // null until verification fails (Node's typings say Error; at runtime it is the code, a string).
  if (socket.authorizationError) {
    const codeText = typeof code === 'string' ? code : String(socket.authorizationError)
    return new ConnectError(
      'network',
      codeText,
      `cannot connect to ${url}: the server's TLS certificate could not be verified: ${error.message} (${codeText})`,
      { cause: error },
    )
  }
  if (typeof code === 'string' && code.startsWith('ERR_SSL_')) {
    const detail = typeof reason === 'string' ? reason : error.message.trim()
    return new ConnectError(
      'network',
      code,
      `cannot connect to ${url}: the TLS handshake failed: ${detail} (${code})`,
      {
        cause: error,
      },
    )
  }
  return error
}
