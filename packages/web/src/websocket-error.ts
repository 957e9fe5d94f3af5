/**
 * WebSocketError (the WebSocketStream draft): a DOMException named "WebSocketError" with the
 * close code and reason it stands for.
 *
 *   constructor(optional DOMString message = "", optional WebSocketCloseInfo init = {});
 *   readonly attribute unsigned short? closeCode;
 *   readonly attribute USVString reason;
 *
 * The constructor validates the code and reason as WebSocket.close() does, and a non-empty
 * reason without a code means 1000.
 */
import { validateCloseCodeAndReason } from './close-args.ts'
import { baseClass, type web } from './globals.ts'
import { shapeInterface, toDictionary, toDOMString, toEnforcedUnsignedShort, toUSVString } from './webidl.ts'

/** WebSocketCloseInfo: `[EnforceRange] unsigned short closeCode; USVString reason = ""`. */
export interface WebSocketCloseInfo {
  closeCode?: number
  reason?: string
}

export interface WebSocketErrorInstance extends Error {
  readonly closeCode: number | null
  readonly reason: string
}

export type WebSocketErrorConstructor = new (
  message?: string,
  init?: WebSocketCloseInfo,
) => WebSocketErrorInstance

/** Converts a WebSocketCloseInfo dictionary (members in lexicographic order, as WebIDL does). */
export function toCloseInfo(value: unknown, what: string): { closeCode: number | null; reason: string } {
  const dictionary = toDictionary(value, what)
  const code = dictionary.closeCode
  const closeCode = code === undefined ? null : toEnforcedUnsignedShort(code, `${what}.closeCode`)
  const reason = dictionary.reason
  return { closeCode, reason: reason === undefined ? '' : toUSVString(reason) }
}

interface Fields {
  closeCode: number | null
  reason: string
}

const fields = new WeakMap<object, Fields>()

/** Set while the package builds an error whose code and reason came from the peer, unchecked. */
let unvalidated: Fields | null = null

function fieldsOf(error: unknown): Fields {
  const found = typeof error === 'object' && error !== null ? fields.get(error) : undefined
  if (found === undefined) throw new TypeError('Illegal invocation: not a WebSocketError')
  return found
}

class WebSocketErrorClass extends baseClass<typeof web.DOMException>('DOMException') {
  constructor(message: unknown = '', init: unknown = undefined) {
    const text = toDOMString(message)
    let own: Fields
    if (unvalidated !== null) {
      own = unvalidated
      unvalidated = null
    } else {
      const info = toCloseInfo(init, "WebSocketError's init")
      validateCloseCodeAndReason(info.closeCode, info.reason)
      own = {
        closeCode: info.closeCode === null && info.reason !== '' ? 1000 : info.closeCode,
        reason: info.reason,
      }
    }
    super(text, 'WebSocketError')
    fields.set(this, own)
  }

  get closeCode(): number | null {
    return fieldsOf(this).closeCode
  }

  get reason(): string {
    return fieldsOf(this).reason
  }
}

shapeInterface(WebSocketErrorClass, ['closeCode', 'reason'], {}, 'WebSocketError')

export const WebSocketError = WebSocketErrorClass as unknown as WebSocketErrorConstructor

/** A WebSocketError for a close that happened (any code, such as 1006 or 1002), not validated. */
export function closedError(
  message: string,
  closeCode: number | null,
  reason: string,
): WebSocketErrorInstance {
  unvalidated = { closeCode, reason }
  try {
    return new WebSocketError(message)
  } finally {
    unvalidated = null
  }
}

/** True when `value` is a WebSocketError made by this package. */
export function isWebSocketError(value: unknown): value is WebSocketErrorInstance {
  return typeof value === 'object' && value !== null && fields.has(value)
}
