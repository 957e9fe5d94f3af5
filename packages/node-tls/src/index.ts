export { ConnectError, Connection } from '@ws/node-tcp'
export { connect, type SecureConnectOptions } from './client.ts'
export type { PemInput } from './options.ts'
export { createSecureServer, type SecureServerOptions, SecureWebSocketServer } from './server.ts'
