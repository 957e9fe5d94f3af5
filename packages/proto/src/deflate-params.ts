/**
 * permessage-deflate parameters (RFC 7692 section 7): reading an offer or a response into a
 * checked form, and writing one back out. Both roles share the grammar; what each role does
 * with a parameter it does not like (the server declines the offer, the client fails the
 * handshake) is decided by the caller, from the reason returned here.
 */
import type { ExtensionParam } from './handshake/header-values.ts'

/** The four parameters of RFC 7692 section 7.1, as read from one offer or response. */
export interface DeflateParams {
  serverNoContextTakeover: boolean
  clientNoContextTakeover: boolean
  /** The value of server_max_window_bits, or null when absent. */
  serverMaxWindowBits: number | null
  /**
   * client_max_window_bits: null when absent, true when present without a value (only valid
   * in an offer), or the value.
   */
  clientMaxWindowBits: number | true | null
}

export const MIN_WINDOW_BITS = 8
export const MAX_WINDOW_BITS = 15

/**
 * A window-bits value: a decimal integer 8..15 with no leading zeros (RFC 7692 7.1.2.1 and
 * 7.1.2.2). Returns null for anything else, including '08', '+9' and '9.0'.
 */
export function parseWindowBits(value: string): number | null {
  if (value.length === 1) {
    const code = value.charCodeAt(0)
    return code === 0x38 || code === 0x39 ? code - 0x30 : null
  }
  if (value.length === 2 && value.charCodeAt(0) === 0x31) {
    const code = value.charCodeAt(1)
    return code >= 0x30 && code <= 0x35 ? 10 + code - 0x30 : null
  }
  return null
}

/**
 * Reads the parameters of one offer (`inOffer`) or response. Returns the parameters, or a
 * string that says what is wrong: an unknown parameter, one given twice, a value where none is
 * allowed, a missing or invalid value.
 */
export function readDeflateParams(
  params: readonly ExtensionParam[],
  inOffer: boolean,
): DeflateParams | string {
  const result: DeflateParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
    serverMaxWindowBits: null,
    clientMaxWindowBits: null,
  }
  const seen = new Set<string>()
  for (const { name, value } of params) {
    if (seen.has(name)) return `parameter ${name} appears more than once`
    seen.add(name)
    switch (name) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        if (value !== null) return `parameter ${name} takes no value`
        if (name === 'server_no_context_takeover') result.serverNoContextTakeover = true
        else result.clientNoContextTakeover = true
        break
      case 'server_max_window_bits': {
        const bits = value === null ? null : parseWindowBits(value)
        if (bits === null) return `parameter ${name} needs a value from 8 to 15, got ${describe(value)}`
        result.serverMaxWindowBits = bits
        break
      }
      case 'client_max_window_bits': {
        if (value === null) {
          if (!inOffer) return `parameter ${name} needs a value in a response`
          result.clientMaxWindowBits = true
          break
        }
        const bits = parseWindowBits(value)
        if (bits === null) return `parameter ${name} needs a value from 8 to 15, got ${describe(value)}`
        result.clientMaxWindowBits = bits
        break
      }
      default:
        return `unknown parameter ${name}`
    }
  }
  return result
}

/** Writes the parameters that are set, in the RFC's order. */
export function writeDeflateParams(params: DeflateParams): ExtensionParam[] {
  const out: ExtensionParam[] = []
  if (params.serverNoContextTakeover) out.push({ name: 'server_no_context_takeover', value: null })
  if (params.clientNoContextTakeover) out.push({ name: 'client_no_context_takeover', value: null })
  if (params.serverMaxWindowBits !== null) {
    out.push({ name: 'server_max_window_bits', value: String(params.serverMaxWindowBits) })
  }
  if (params.clientMaxWindowBits !== null) {
    const value = params.clientMaxWindowBits === true ? null : String(params.clientMaxWindowBits)
    out.push({ name: 'client_max_window_bits', value })
  }
  return out
}

function describe(value: string | null): string {
  return value === null ? 'none' : JSON.stringify(value.length > 32 ? `${value.slice(0, 32)}...` : value)
}
