export { H2Acceptor, type OnH2Connection } from './accept.ts'
export { connect, type H2ConnectOptions } from './client.ts'
export {
  createH2Server,
  type H2ListenOptions,
  type H2ServerAddress,
  type H2ServerEvents,
  type H2ServerOptions,
  H2WebSocketServer,
} from './server.ts'
export { defaultPool, H2SessionPool, NoHttp2Error } from './session-pool.ts'
export { H2StreamTransport, StreamResetError } from './stream-transport.ts'
