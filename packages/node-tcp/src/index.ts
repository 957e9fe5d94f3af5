export type { SocketOptions } from '@ws/driver'
export {
  ConnectError,
  type ConnectErrorKind,
  type ConnectOptions,
  type ConnectTarget,
  connect,
  connectWith,
  networkError,
  type OpenTransport,
  openTcp,
  openTcpTransport,
  socketOpener,
} from './client.ts'
export { Connection, type ConnectionEvents } from './connection.ts'
export {
  createServer,
  type ServerAddress,
  type ServerEvents,
  type ServerOptions,
  type VerifyClientResult,
  WebSocketServer,
} from './server.ts'
export { SocketTransport, socketTransport } from './socket-transport.ts'
