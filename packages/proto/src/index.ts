export { CloseCode, isValidWireCloseCode, MAX_CLOSE_REASON_BYTES } from './close-codes.ts'
export {
  type ConnectionOptions,
  type ConnectionState,
  type Role,
  WebSocketConnection,
} from './connection.ts'
export {
  ExtensionError,
  HandshakeError,
  type HttpResponseInfo,
  InvalidStateError,
  ProtocolError,
  WebSocketError,
} from './errors.ts'
export type {
  BinaryEvent,
  ClosedEvent,
  CloseEvent,
  FragmentEvent,
  PingEvent,
  PongEvent,
  TextEvent,
  WebSocketEvent,
} from './events.ts'
export type { Extension, ExtensionFactory, ExtensionParam } from './extension.ts'
export { Opcode, RSV1, RSV2, RSV3 } from './frame.ts'
export { acceptKey, WEBSOCKET_GUID } from './handshake/accept-key.ts'
export {
  ClientHandshake,
  type ClientHandshakeOptions,
  type ClientHandshakeResult,
  type ClientTarget,
  parseTarget,
} from './handshake/client.ts'
export {
  type ExtensionItem,
  formatExtensions,
  isToken,
  parseExtensions,
  parseTokenList,
} from './handshake/header-values.ts'
export { HeaderList, type HttpHeadLimits } from './handshake/http-head.ts'
export type { HeaderInput } from './handshake/http-write.ts'
export {
  type AcceptOptions,
  type ParsedRequestHead,
  ServerHandshake,
  type ServerHandshakeOptions,
  type ServerHandshakeResult,
  type UpgradeRequest,
} from './handshake/server.ts'
export { DEFAULT_LIMITS, type Limits } from './limits.ts'
export { PerMessageDeflate, type PerMessageDeflateOptions } from './permessage-deflate.ts'
export { PreparedMessage } from './prepared.ts'
export type { RandomFill } from './random-pool.ts'
