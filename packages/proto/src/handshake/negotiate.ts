/** Extension negotiation for both roles (RFC 6455 section 9.1), over `ExtensionFactory`. */
import { HandshakeError } from '../errors.ts'
import type { Extension, ExtensionFactory } from '../extension.ts'
import { type ExtensionItem, formatExtensions, parseExtensions } from './header-values.ts'

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
