export { ConnectError, Connection } from '@ws/node-tcp'
export { connect, type SecureConnectOptions, type TlsClientOptions, tlsOpener } from './client.ts'
export type { PemInput } from './options.ts'
export { createSecureServer, type SecureServerOptions, SecureWebSocketServer } from './server.ts'
