/** Pieces shared by the parsers of every wsx command: the usage error and the value checks. */

/** Thrown while parsing for a bad command line; becomes a one-line `usage-error` command. */
export class UsageError extends Error {}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** An HTTP token (RFC 9110 section 5.6.2), as subprotocol names and header names must be. */
export const isToken = (text: string): boolean => TOKEN.test(text)

export function nonEmpty(value: string | undefined, option: string): string | undefined {
  if (value === '') throw new UsageError(`option '${option}' needs a value`)
  return value
}

/** A whole number from `min` to `max`, written with digits only. */
export function integer(text: string, option: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `${min} to ${max}`
    throw new UsageError(`${option} must be ${range}, got '${text}'`)
  }
  return value
}

/** A positive number of seconds (`2`, `0.5`), returned in milliseconds. */
export function seconds(text: string, option: string): number {
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN
  if (!(value > 0) || value > 86_400 * 365) {
    throw new UsageError(`${option} must be a positive number of seconds, got '${text}'`)
  }
  return Math.max(1, Math.round(value * 1000))
}

/** `--header 'Name: value'`: the name must be an HTTP token; the value is trimmed. */
export function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':')
  const name = colon === -1 ? '' : text.slice(0, colon).trim()
  if (colon === -1 || !isToken(name)) {
    throw new UsageError(`--header '${text}' must look like 'Name: value'`)
  }
  const value = text.slice(colon + 1).trim()
  if (/[\r\n\0]/.test(value)) throw new UsageError(`--header '${name}' has a line break or NUL in its value`)
  return [name, value]
}

/** Subprotocol names given with `--protocol`, each checked. */
export function protocolList(values: string[] | undefined): string[] {
  const protocols = values ?? []
  for (const protocol of protocols) {
    if (!isToken(protocol)) {
      throw new UsageError(`--protocol '${protocol}' is not a valid subprotocol name (an HTTP token)`)
    }
  }
  return protocols
}

/** A ws:// or wss:// URL, checked. */
export function wsUrl(text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`invalid URL '${text}': expected ws://HOST:PORT/PATH or wss://...`)
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new UsageError(`unsupported URL scheme '${url.protocol}' in '${text}': use ws:// or wss://`)
  }
  if (url.hash !== '') throw new UsageError(`a WebSocket URL cannot have a #fragment: '${text}'`)
  return url
}
