/**
 * Subprotocol names given to a constructor: each must be an RFC 9110 token (the grammar of
 * Sec-WebSocket-Protocol values), and no two may be equal ignoring ASCII case; else a
 * "SyntaxError" DOMException.
 */
import { isToken } from '@ws/proto'
import { domException } from './globals.ts'

export function checkProtocols(protocols: readonly string[]): void {
  const seen = new Set<string>()
  for (const protocol of protocols) {
    if (!isToken(protocol)) {
      throw domException(`The subprotocol '${protocol}' is invalid.`, 'SyntaxError')
    }
    const folded = asciiLowerCase(protocol)
    if (seen.has(folded)) {
      throw domException(`The subprotocol '${protocol}' is duplicated.`, 'SyntaxError')
    }
    seen.add(folded)
  }
}

/** Tokens are ASCII, so this equals ASCII lowercase on them. */
function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => String.fromCharCode(letter.charCodeAt(0) + 32))
}
