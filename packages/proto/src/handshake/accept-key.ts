import { base64Encode, sha1 } from '@ws/crypto'
import { encodeUtf8 } from '../web.ts'

/** The GUID of RFC 6455 section 1.3, appended to the client's key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

/** `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)). */
export function acceptKey(key: string): string {
  if (typeof key !== 'string') throw new TypeError('acceptKey() takes the Sec-WebSocket-Key string')
  return base64Encode(sha1(encodeUtf8(key + WEBSOCKET_GUID)))
}
