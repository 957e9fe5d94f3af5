/**
 * "Get a URL record" (WebSockets Standard): parse with the WHATWG URL parser against the
 * document's base URL (`globalThis.location` where there is one), turn http: into ws: and
 * https: into wss:, and refuse any other scheme or any fragment with a "SyntaxError".
 */
import { domException, web } from './globals.ts'

export interface UrlRecord {
  /** The serialized URL (what `url` returns and what the handshake uses). */
  href: string
  /** The serialization of the URL's origin, for MessageEvent.origin. */
  origin: string
  /** The host and port the connection goes to: one connection at a time is opened to it. */
  hostKey: string
}

function baseUrl(): string | undefined {
  const location = web.location
  if (location === undefined || location === null) return undefined
  const href = (location as { href?: unknown }).href
  return typeof href === 'string' ? href : undefined
}

export function getUrlRecord(url: string): UrlRecord {
  let record: ReturnType<typeof parse>
  try {
    record = parse(url)
  } catch {
    throw domException(`Failed to parse '${url}' as a URL`, 'SyntaxError')
  }
  if (record.protocol === 'http:') record.protocol = 'ws:'
  else if (record.protocol === 'https:') record.protocol = 'wss:'
  if (record.protocol !== 'ws:' && record.protocol !== 'wss:') {
    throw domException(
      `The URL's scheme must be either 'http', 'https', 'ws', or 'wss'. '${record.protocol.slice(0, -1)}' is not allowed.`,
      'SyntaxError',
    )
  }
  // A fragment, even an empty one ("ws://host/#"), is serialized with its '#'.
  if (record.href.includes('#')) {
    throw domException(
      `The URL contains a fragment identifier ('${record.hash}'). Fragment identifiers are not allowed in WebSocket URLs.`,
      'SyntaxError',
    )
  }
  const secure = record.protocol === 'wss:'
  const port = record.port === '' ? (secure ? '443' : '80') : record.port
  return { href: record.href, origin: record.origin, hostKey: `${record.hostname.toLowerCase()}:${port}` }
}

function parse(url: string): InstanceType<typeof web.URL> {
  const base = baseUrl()
  return base === undefined ? new web.URL(url) : new web.URL(url, base)
}
