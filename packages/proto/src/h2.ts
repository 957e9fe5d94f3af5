/**
 * `@ws/proto/h2`: the WebSocket handshakes over HTTP/2 (RFC 8441 extended CONNECT), for
 * transports that carry WebSockets on HTTP/2 streams. They share the main entry's negotiation,
 * errors and connection; an application that never speaks HTTP/2 does not load them.
 */
export {
  H2ClientHandshake,
  type H2ClientHandshakeOptions,
  type H2ClientHandshakeResult,
} from './handshake/h2-client.ts'
export type { H2Fields } from './handshake/h2-fields.ts'
export {
  type H2Response,
  H2ServerHandshake,
  type H2ServerHandshakeOptions,
  type H2ServerHandshakeResult,
  type H2UpgradeRequest,
} from './handshake/h2-server.ts'
