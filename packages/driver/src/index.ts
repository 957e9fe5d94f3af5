export { PreparedMessage } from '@ws/proto'
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
  createMemoryPair,
  type MemoryLinkOptions,
  type MemoryPairOptions,
  MemoryResetError,
  type MemoryTransport,
} from './memory-pair.ts'
export {
  coreOptions,
  deflateFactories,
  type ResolvedSocketOptions,
  resolveHandshakeTimeout,
  resolveSocketOptions,
  type SocketOptions,
} from './options.ts'
export {
  Acceptor,
  broadcast,
  type OnConnection,
  type ServerOptions,
  screenRequest,
  type Verdict,
  type VerifyClientResult,
} from './server.ts'
export {
  type ByteStreamReader,
  type ByteStreamWriter,
  type StreamsTransportOptions,
  streamsTransport,
  type WebByteSocket,
} from './streams-transport.ts'
export type { ByteTransport, ConnectTarget, OpenTransport, TransportSink } from './transport.ts'
export type { AbortSignalLike } from './web.ts'
