export { PreparedMessage, type SocketOptions } from '@ws/driver'
export { allocateUnfilled } from './allocate.ts'
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
  proxiedOpener,
  socketOpener,
  type TcpConnectOptions,
} from './client.ts'
export { Connection, type ConnectionEvents } from './connection.ts'
export {
  noProxyMatches,
  openProxyTunnel,
  type ProxyEnvironment,
  ProxyError,
  type ProxyErrorCode,
  type ProxyTunnelOptions,
  proxyForUrl,
} from './proxy.ts'
export {
  createServer,
  type ServerAddress,
  type ServerEvents,
  type ServerOptions,
  type VerifyClientResult,
  WebSocketServer,
} from './server.ts'
export { SocketTransport, socketTransport } from './socket-transport.ts'
