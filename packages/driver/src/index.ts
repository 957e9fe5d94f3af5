export {
  ConnectError,
  type ConnectErrorKind,
  type ConnectOptions,
  connectWith,
  type MakeConnection,
  networkError,
} from './client.ts'
export { Connection, type ConnectionEvents } from './connection.ts'
export { Emitter } from './emitter.ts'
export {
  coreOptions,
  deflateFactories,
  type ResolvedSocketOptions,
  resolveSocketOptions,
  type SocketOptions,
} from './options.ts'
export {
  Acceptor,
  type OnConnection,
  type ServerOptions,
  screenRequest,
  type Verdict,
  type VerifyClientResult,
} from './server.ts'
export type { ByteTransport, ConnectTarget, OpenTransport, TransportSink } from './transport.ts'
export type { AbortSignalLike } from './web.ts'
