// The fuzzer's permessage-deflate negotiation (RFC 7692 section 7), shared by HTTP/1.1 and
// HTTP/2: how it reads a client's offers as a server, and a server's answer as a client.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Case, type DeflateOffer, type ParsedOffer } from '../src/autobahn/case.ts'
import { agreedDeflate, answerOffers, offerHeader } from '../src/autobahn/negotiate.ts'

class Probe extends Case {
  seen: ParsedOffer[][] = []
  onOpen(): void {}
}

/** A case that accepts the first offer it can parse, asking the client for `clientBits`. */
function accepting(clientBits = 0): Probe {
  const probe = new Probe()
  probe.deflateAccept = (offers) => {
    probe.seen.push(offers)
    const offer = offers[0]
    return offer === undefined
      ? null
      : { offer, requestNoContextTakeover: clientBits !== 0, requestMaxWindowBits: clientBits }
  }
  return probe
}

test('a server answer to the offer with every parameter (RFC 7692 section 7.1)', () => {
  const probe = accepting(9)
  const { header, deflate } = answerOffers(
    probe,
    'permessage-deflate; client_max_window_bits; server_max_window_bits=10; server_no_context_takeover',
  )
  assert.is(
    header,
    'permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_no_context_takeover; client_max_window_bits=9',
  )
  assert.equal(deflate, {
    sendWindowBits: 10,
    sendNoContextTakeover: true,
    receiveWindowBits: 9,
    receiveNoContextTakeover: true,
  })
})

test('offers the fuzzer cannot take are skipped; none left means no extension', () => {
  const probe = accepting()
  const refused = [
    'permessage-deflate; server_max_window_bits',
    'permessage-deflate; client_no_context_takeover=1',
    'permessage-deflate; server_no_context_takeover=1',
    'permessage-deflate; unknown_parameter',
    'x-webkit-deflate-frame',
  ].join(', ')
  assert.equal(answerOffers(probe, refused), { header: null, deflate: null })
  assert.equal(probe.seen, [[]])
  assert.throws(() => answerOffers(probe, 'permessage-deflate; server_max_window_bits=7'), /window bits 7/)
  // A case without an accept function never answers, whatever the offer.
  assert.equal(answerOffers(new Probe(), 'permessage-deflate'), { header: null, deflate: null })
})

test('as a client: the offer, and what the server agreed', () => {
  const probe = new Probe()
  assert.is(offerHeader(probe), null)
  assert.equal(agreedDeflate(probe, undefined), null)
  assert.throws(() => agreedDeflate(probe, 'permessage-deflate'), /not offered/)
  const offer: DeflateOffer = {
    acceptNoContextTakeover: true,
    acceptMaxWindowBits: true,
    requestNoContextTakeover: true,
    requestMaxWindowBits: 12,
  }
  probe.deflateOffers = [offer]
  assert.is(
    offerHeader(probe),
    'permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=12',
  )
  assert.equal(
    agreedDeflate(probe, 'permessage-deflate; server_max_window_bits=12; client_max_window_bits=8'),
    {
      sendWindowBits: 8,
      sendNoContextTakeover: false,
      receiveWindowBits: 12,
      receiveNoContextTakeover: false,
    },
  )
  assert.throws(() => agreedDeflate(probe, 'permessage-deflate, permessage-deflate'), /not offered/)
  assert.throws(() => agreedDeflate(probe, 'x-other'), /unoffered extension x-other/)
})

test.run()
