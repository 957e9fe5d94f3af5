export {
  CloseEvent,
  type CloseEventConstructor,
  type CloseEventInit,
  type CloseEventInstance,
} from './close-event.ts'
export type { Connector, ConnectRequest, DriverConnection } from './driver-types.ts'
export {
  createWebSocketClasses,
  streamFromConnection,
  type WebConnect,
  type WebOpenTransport,
  type WebSocketClasses,
  type WebSocketClassesOptions,
  type WebSocketDefaults,
  websocketFromConnection,
} from './factory.ts'
export type { WebSocketCloseResult, WebSocketOpenInfo } from './stream-core.ts'
export type { WebSocketConstructor, WebSocketInit, WebSocketInstance } from './websocket.ts'
export type { BinaryType } from './websocket-core.ts'
export {
  type WebSocketCloseInfo,
  WebSocketError,
  type WebSocketErrorConstructor,
  type WebSocketErrorInstance,
} from './websocket-error.ts'
export type {
  WebSocketStreamConstructor,
  WebSocketStreamInstance,
  WebSocketStreamOptions,
} from './websocket-stream.ts'
