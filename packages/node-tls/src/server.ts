/**
 * The wss:// server: @ws/node-tcp's WebSocketServer, listening on a node:tls server and taking
 * each socket once its TLS handshake is done ('secureConnection').
 */
import {
  createSecureContext,
  createServer as createTlsServer,
  type SecureVersion,
  type TLSSocket,
  type TlsOptions,
} from 'node:tls'
import { type Connection, type ServerAddress, type ServerOptions, WebSocketServer } from '@ws/node-tcp'
import type { UpgradeRequest } from '@ws/proto'
import { checkPem, type PemInput, resolveMinVersion } from './options.ts'

export interface SecureServerOptions extends ServerOptions {
  /** The server's private key (PEM). */
  key: PemInput
  /** The server's certificate chain (PEM): its own certificate first, then any intermediates. */
  cert: PemInput
  /** The passphrase of an encrypted `key`. */
  passphrase?: string
  /** CA certificates (PEM) that client certificates must chain to when `requestCert` is true. */
  ca?: PemInput
  /** Ask clients for a certificate and refuse those without a valid one (default false). */
  requestCert?: boolean
  /** The lowest TLS version to accept: 'TLSv1.2' (default) or 'TLSv1.3'. TLS 1.3 is used whenever both sides can. */
  minVersion?: SecureVersion
  /**
   * Called when a client's TLS handshake fails (node:tls's 'tlsClientError'): a client that does
   * not trust our certificate, offers no common version, or sends no valid certificate when one
   * is required. The socket is destroyed either way; by default such failures are ignored.
   */
  onTlsClientError?: (error: Error, socket: TLSSocket) => void
}

/**
 * A WebSocketServer for wss://. `listen(port, host)` serves over TLS; everything else
 * (`connections`, `close()`, the 'connection' event, `handleUpgrade` for an https server) is
 * @ws/node-tcp's. TLS handshake failures never reach 'connection'; see `onTlsClientError`.
 */
export class SecureWebSocketServer extends WebSocketServer {
  private readonly tlsOptions: TlsOptions
  private readonly onTlsClientError: ((error: Error, socket: TLSSocket) => void) | undefined

  constructor(options: SecureServerOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError('SecureWebSocketServer needs options with key and cert')
    }
    const { key, cert, passphrase, ca, requestCert, minVersion, onTlsClientError, ...serverOptions } = options
    super(serverOptions)
    const keyPem = checkPem(key, 'key')
    const certPem = checkPem(cert, 'cert')
    if (keyPem === undefined || certPem === undefined) {
      throw new TypeError('SecureWebSocketServer needs a key and a cert (PEM)')
    }
    const caPem = checkPem(ca, 'ca')
    if (requestCert !== undefined && typeof requestCert !== 'boolean') {
      throw new TypeError('requestCert must be a boolean')
    }
    if (onTlsClientError !== undefined && typeof onTlsClientError !== 'function') {
      throw new TypeError('onTlsClientError must be a function')
    }
    const tls: TlsOptions = {
      key: keyPem,
      cert: certPem,
      minVersion: resolveMinVersion(minVersion),
      ALPNProtocols: ['http/1.1'],
      requestCert: requestCert === true,
      rejectUnauthorized: requestCert === true,
      // The TLS handshake counts against the same deadline as the WebSocket one.
      handshakeTimeout: serverOptions.handshakeTimeout ?? 10_000,
    }
    if (passphrase !== undefined) tls.passphrase = passphrase
    if (caPem !== undefined) tls.ca = caPem
    // Fail now, not at listen(), for a key that does not load or does not match the certificate.
    createSecureContext(tls)
    this.tlsOptions = tls
    this.onTlsClientError = onTlsClientError
  }

  /** Listens for TLS on `host` (default '127.0.0.1') and `port` (default 0: ephemeral). */
  override listen(port = 0, host = '127.0.0.1'): Promise<ServerAddress> {
    const server = createTlsServer(this.tlsOptions)
    const report = this.onTlsClientError
    if (report) server.on('tlsClientError', report)
    return this.listenOn(server, 'secureConnection', port, host)
  }
}

/** A SecureWebSocketServer, with an optional 'connection' listener. */
export function createSecureServer(
  options: SecureServerOptions,
  onConnection?: (connection: Connection, request: UpgradeRequest) => void,
): SecureWebSocketServer {
  const server = new SecureWebSocketServer(options)
  if (onConnection) server.on('connection', onConnection)
  return server
}
