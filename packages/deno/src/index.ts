/**
 * @ws/deno: the WHATWG WebSocket and WebSocketStream for Deno, over Deno's own TCP and TLS
 * (Deno.connect / Deno.connectTls) through @ws/driver's streams transport. Unlike Deno's
 * built-in WebSocket, these send custom headers and offer permessage-deflate with our codec.
 *
 *   import { WebSocket } from '@ws/deno'
 *   const socket = new WebSocket('wss://example.com/', { headers: { authorization: 'Bearer x' } })
 */
import { createWebSocketClasses } from '@ws/web'
import { openDenoTransport } from './open.ts'

const classes = createWebSocketClasses({ open: openDenoTransport })

export const WebSocket = classes.WebSocket
export const WebSocketStream = classes.WebSocketStream
export { CloseEvent, WebSocketError } from '@ws/web'
export { connStreams, type DenoTlsOptions, openDenoTransport } from './open.ts'
