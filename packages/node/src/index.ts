/**
 * The WHATWG WebSocket API for Node, from one import: `WebSocket` and `WebSocketStream` with
 * ws:// (TCP) and wss:// (TLS) wired, `CloseEvent` and `WebSocketError`, and the server side:
 * our WebSocketServer (plain and TLS) whose accepted connections can be taken as the same
 * `WebSocket` or `WebSocketStream` objects.
 */

import { allocateUnfilled } from '@ws/node-tcp'
import {
  CloseEvent as CloseEventClass,
  type CloseEventInstance,
  createWebSocketClasses,
  WebSocketError as WebSocketErrorClass,
  type WebSocketErrorInstance,
} from '@ws/web'
import { connectNode, openNodeTransport } from './open.ts'

const classes = createWebSocketClasses({
  open: openNodeTransport,
  connect: connectNode,
  defaults: { allocate: allocateUnfilled },
})

/** The WHATWG WebSocket, over TCP and TLS from Node. */
export const WebSocket = classes.WebSocket
export type WebSocket = InstanceType<typeof classes.WebSocket>
/** The WHATWG WebSocketStream (draft), over TCP and TLS from Node. */
export const WebSocketStream = classes.WebSocketStream
export type WebSocketStream = InstanceType<typeof classes.WebSocketStream>

export { createH2Server, type H2ServerOptions, H2WebSocketServer } from '@ws/node-h2'
export {
  type Connection,
  createServer,
  type ServerOptions,
  WebSocketServer,
} from '@ws/node-tcp'
export { createSecureServer, type SecureServerOptions, SecureWebSocketServer } from '@ws/node-tls'
/** The CloseEvent class (the runtime's own where it has one). */
export const CloseEvent = CloseEventClass
export type CloseEvent = CloseEventInstance
/** WebSocketStream's error: a DOMException with `closeCode` and `reason`. */
export const WebSocketError = WebSocketErrorClass
export type WebSocketError = WebSocketErrorInstance

/**
 * Takes a connection accepted by our server (or by handleUpgrade) as a WHATWG WebSocket of this
 * entry's class (`instanceof WebSocket` holds); `open` fires in a task, as with Deno's
 * upgradeWebSocket. `url` is what `url` returns and the messages' origin.
 */
export const websocketFromConnection = classes.websocketFromConnection
/** Takes an accepted connection as a WebSocketStream of this entry's class, `opened` resolved. */
export const streamFromConnection = classes.streamFromConnection

export { createWebSocketClasses } from '@ws/web'
export {
  connectNode,
  type NodeTlsOptions,
  type NodeWebSocketOptions,
  openNodeTransport,
  tlsOptionsOf,
} from './open.ts'
