/**
 * Subprotocol and extension negotiation for both roles (RFC 6455 sections 4 and 9.1), shared by
 * the HTTP/1.1 handshakes and the HTTP/2 ones (RFC 8441), which carry the same header fields.
 */
import { HandshakeError } from '../errors.ts'
import type { Extension, ExtensionFactory } from '../extension.ts'
import {
  type ExtensionItem,
  formatExtensions,
  isToken,
  parseExtensions,
  parseTokenList,
} from './header-values.ts'
import type { HeaderList } from './http-head.ts'

/** Client: checks the subprotocols to offer (tokens, none twice); throws SyntaxError. */
export function checkProtocolOffer(input: readonly string[] | undefined): string[] {
  const protocols = [...(input ?? [])]
  const seen = new Set<string>()
  for (const protocol of protocols) {
    if (typeof protocol !== 'string' || !isToken(protocol)) {
      throw new SyntaxError(`invalid subprotocol name: ${String(protocol)}`)
    }
    if (seen.has(protocol)) throw new SyntaxError(`subprotocol ${protocol} offered twice`)
    seen.add(protocol)
  }
  return protocols
}

/** What a client offered: subprotocols in its order of preference, and extension offers. */
export interface Offers {
  protocols: string[]
  extensions: ExtensionItem[]
}

/**
 * Server: reads the offers of a request's Sec-WebSocket-Protocol and Sec-WebSocket-Extensions
 * fields; a malformed field gives the error code and message instead (status 400).
 */
export function readOffers(headers: HeaderList): Offers | { code: string; message: string } {
  let protocols: string[] = []
  const protocolHeader = headers.get('sec-websocket-protocol')
  if (protocolHeader !== undefined) {
    const parsed = parseTokenList(protocolHeader)
    if (parsed === null || parsed.length === 0) {
      return { code: 'WS_ERR_INVALID_PROTOCOL', message: 'malformed Sec-WebSocket-Protocol header' }
    }
    protocols = parsed
  }
  let extensions: ExtensionItem[] = []
  const extensionHeader = headers.get('sec-websocket-extensions')
  if (extensionHeader !== undefined) {
    const parsed = parseExtensions(extensionHeader)
    if (parsed === null) {
      return { code: 'WS_ERR_INVALID_EXTENSIONS', message: 'malformed Sec-WebSocket-Extensions header' }
    }
    extensions = parsed
  }
  return { protocols, extensions }
}

/** What the server agreed to: the values of its response fields ('' for none) and the extensions. */
export interface Agreement {
  protocol: string
  extensionHeader: string
  extensions: Extension[]
}

/**
 * Server: checks the application's subprotocol choice against the offer (TypeError when it was
 * not offered) and negotiates extensions.
 */
export function agree(
  offers: { readonly protocols: readonly string[]; readonly extensions: readonly ExtensionItem[] },
  protocol: string | undefined,
  factories: readonly ExtensionFactory[],
): Agreement {
  const chosen = protocol ?? ''
  if (chosen !== '' && !offers.protocols.includes(chosen)) {
    throw new TypeError(`subprotocol '${chosen}' was not offered by the client`)
  }
  const { header, extensions } = negotiateAsServer(offers.extensions, factories)
  return { protocol: chosen, extensionHeader: header, extensions }
}

/**
 * Client: the subprotocol and extensions a response chose, checked against what was offered.
 * Throws a HandshakeError (without response details) when the choice is not acceptable.
 */
export function checkAgreement(
  headers: HeaderList,
  protocols: readonly string[],
  factories: readonly ExtensionFactory[],
): { protocol: string; extensions: Extension[] } {
  const values = headers.getAll('sec-websocket-protocol')
  let protocol = ''
  if (values.length > 0) {
    protocol = values.length === 1 ? values[0] : ''
    if (!isToken(protocol)) {
      throw new HandshakeError(
        'WS_ERR_INVALID_PROTOCOL',
        'Sec-WebSocket-Protocol must name exactly one subprotocol',
      )
    }
    if (!protocols.includes(protocol)) {
      throw new HandshakeError(
        'WS_ERR_UNREQUESTED_PROTOCOL',
        `the server chose subprotocol '${protocol}', which was not offered`,
      )
    }
  }
  return { protocol, extensions: negotiateAsClient(headers.get('sec-websocket-extensions'), factories) }
}

/** The client's `Sec-WebSocket-Extensions` offer, or '' when there is nothing to offer. */
export function offerHeader(factories: readonly ExtensionFactory[]): string {
  const items: ExtensionItem[] = []
  for (const factory of factories) {
    for (const params of factory.offer()) items.push({ name: factory.name, params })
  }
  return items.length > 0 ? formatExtensions(items) : ''
}

/**
 * Server: picks extensions from the client's offers (the parsed request header). Factories are
 * tried in the server's order; each sees every offer for its name and may decline. An extension
 * whose RSV bits clash with one already accepted is skipped.
 */
export function negotiateAsServer(
  offered: readonly ExtensionItem[],
  factories: readonly ExtensionFactory[],
): { header: string; extensions: Extension[] } {
  const accepted: ExtensionItem[] = []
  const extensions: Extension[] = []
  let usedRsv = 0
  for (const factory of factories) {
    const name = factory.name.toLowerCase()
    const offers = offered.filter((item) => item.name.toLowerCase() === name).map((item) => item.params)
    if (offers.length === 0) continue
    const result = factory.acceptOffer(offers)
    if (result === null || (result.extension.rsvBits & usedRsv) !== 0) continue
    usedRsv |= result.extension.rsvBits
    accepted.push({ name: factory.name, params: result.params })
    extensions.push(result.extension)
  }
  return { header: accepted.length > 0 ? formatExtensions(accepted) : '', extensions }
}

/**
 * Client: checks the server's `Sec-WebSocket-Extensions` response against what was offered and
 * builds the extensions. Anything not offered, repeated, or refused by its factory fails.
 */
export function negotiateAsClient(
  header: string | undefined,
  factories: readonly ExtensionFactory[],
): Extension[] {
  if (header === undefined) return []
  const items = parseExtensions(header)
  if (items === null) {
    throw new HandshakeError(
      'WS_ERR_INVALID_EXTENSIONS',
      `malformed Sec-WebSocket-Extensions header: ${header}`,
    )
  }
  const extensions: Extension[] = []
  const seen = new Set<string>()
  let usedRsv = 0
  for (const item of items) {
    const name = item.name.toLowerCase()
    const factory = factories.find((candidate) => candidate.name.toLowerCase() === name)
    if (factory === undefined) {
      throw new HandshakeError(
        'WS_ERR_UNREQUESTED_EXTENSION',
        `the server chose extension '${item.name}', which was not offered`,
      )
    }
    if (seen.has(name)) {
      throw new HandshakeError(
        'WS_ERR_DUPLICATE_EXTENSION',
        `the server chose extension '${item.name}' twice`,
      )
    }
    seen.add(name)
    let extension: Extension
    try {
      extension = factory.acceptResponse(item.params)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new HandshakeError('WS_ERR_EXTENSION_REJECTED', `unacceptable '${item.name}' response: ${reason}`)
    }
    if ((extension.rsvBits & usedRsv) !== 0) {
      throw new HandshakeError(
        'WS_ERR_EXTENSION_CONFLICT',
        `extension '${item.name}' claims RSV bits already in use`,
      )
    }
    usedRsv |= extension.rsvBits
    extensions.push(extension)
  }
  return extensions
}
