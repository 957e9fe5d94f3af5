export {
  ConnectError,
  type ConnectErrorKind,
  type ConnectOptions,
  type ConnectTarget,
  connect,
  connectWith,
  networkError,
  type OpenTransport,
} from './client.ts'
export { Connection, type ConnectionEvents } from './connection.ts'
export type { SocketOptions } from './options.ts'
export {
  createServer,
  type ServerAddress,
  type ServerEvents,
  type ServerOptions,
  type VerifyClientResult,
  WebSocketServer,
} from './server.ts'
