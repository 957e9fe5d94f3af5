// permessage-deflate (RFC 7692) as the Autobahn fuzzer negotiates it, the same over HTTP/1.1 and
// HTTP/2 (the Sec-WebSocket-Extensions field is the same in both): the offer it makes as a
// client, how it reads the answer, and how it answers a client's offer as a server.
import type { Case, DeflateAccept, DeflateOffer, ParsedOffer } from './case.ts'
import type { DeflateSettings } from './peer.ts'
import { parseExtensionsHeader } from './wire.ts'

/** The Sec-WebSocket-Extensions value for the case's offers, or null when it offers nothing. */
export function offerHeader(kase: Case): string | null {
  return kase.deflateOffers.length === 0 ? null : kase.deflateOffers.map(offerString).join(', ')
}

function offerString(offer: DeflateOffer): string {
  let text = 'permessage-deflate'
  if (offer.acceptNoContextTakeover) text += '; client_no_context_takeover'
  if (offer.acceptMaxWindowBits) text += '; client_max_window_bits'
  if (offer.requestNoContextTakeover) text += '; server_no_context_takeover'
  if (offer.requestMaxWindowBits !== 0) text += `; server_max_window_bits=${offer.requestMaxWindowBits}`
  return text
}

function windowBits(value: string | true | undefined): number {
  if (value === undefined || value === true) return 15
  const bits = Number(value)
  if (!Number.isInteger(bits) || bits < 8 || bits > 15) throw new Error(`window bits ${value}`)
  return bits
}

/** What a server agreed to in its response (`value`, absent when none); throws on an answer nobody asked for. */
export function agreedDeflate(kase: Case, value: string | undefined): DeflateSettings | null {
  const extensions = parseExtensionsHeader(value ?? '')
  if (extensions.length > 1 || (extensions.length === 1 && kase.deflateOffers.length === 0)) {
    throw new Error('extensions in the response that were not offered')
  }
  const agreed = extensions[0]
  if (agreed === undefined) return null
  if (agreed.name !== 'permessage-deflate') throw new Error(`unoffered extension ${agreed.name}`)
  return {
    sendWindowBits: windowBits(agreed.params.get('client_max_window_bits')),
    sendNoContextTakeover: agreed.params.has('client_no_context_takeover'),
    receiveWindowBits: windowBits(agreed.params.get('server_max_window_bits')),
    receiveNoContextTakeover: agreed.params.has('server_no_context_takeover'),
  }
}

/** A client's permessage-deflate offer as Autobahn 0.10.9 parses it; null when it refuses it. */
function parseOffer(params: Map<string, string | true>): ParsedOffer | null {
  const offer: ParsedOffer = {
    acceptNoContextTakeover: true,
    acceptMaxWindowBits: false,
    requestNoContextTakeover: false,
    requestMaxWindowBits: 0,
  }
  for (const [name, value] of params) {
    if (name === 'client_max_window_bits') {
      if (value !== true) windowBits(value)
      offer.acceptMaxWindowBits = true
    } else if (name === 'client_no_context_takeover') {
      if (value !== true) return null
    } else if (name === 'server_max_window_bits') {
      if (value === true) return null
      offer.requestMaxWindowBits = windowBits(value)
    } else if (name === 'server_no_context_takeover') {
      if (value !== true) return null
      offer.requestNoContextTakeover = true
    } else {
      return null
    }
  }
  return offer
}

function acceptString(accept: DeflateAccept): string {
  let text = 'permessage-deflate'
  if (accept.offer.requestNoContextTakeover) text += '; server_no_context_takeover'
  if (accept.offer.requestMaxWindowBits !== 0)
    text += `; server_max_window_bits=${accept.offer.requestMaxWindowBits}`
  if (accept.requestNoContextTakeover) text += '; client_no_context_takeover'
  if (accept.requestMaxWindowBits !== 0) text += `; client_max_window_bits=${accept.requestMaxWindowBits}`
  return text
}

/**
 * The fuzzer as a server answers a client's offers (`value`, absent when none) as the case says:
 * the Sec-WebSocket-Extensions value to send (null for none) and the settings agreed.
 */
export function answerOffers(
  kase: Case,
  value: string | undefined,
): { header: string | null; deflate: DeflateSettings | null } {
  if (kase.deflateAccept === null) return { header: null, deflate: null }
  const offers: ParsedOffer[] = []
  for (const item of parseExtensionsHeader(value ?? '')) {
    if (item.name !== 'permessage-deflate') continue
    const offer = parseOffer(item.params)
    if (offer !== null) offers.push(offer)
  }
  const accept = kase.deflateAccept(offers)
  if (accept === null) return { header: null, deflate: null }
  return {
    header: acceptString(accept),
    deflate: {
      sendWindowBits: accept.offer.requestMaxWindowBits || 15,
      sendNoContextTakeover: accept.offer.requestNoContextTakeover,
      receiveWindowBits: accept.requestMaxWindowBits || 15,
      receiveNoContextTakeover: accept.requestNoContextTakeover,
    },
  }
}
