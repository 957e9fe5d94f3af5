// 12.x and 13.x: permessage-deflate. Consecutive, wrapping slices of a corpus are sent one at a
// time and every echo must match the type, length and SHA-1 of what was sent. 12.x uses the
// default offer on five corpora; 13.x tries seven parameter sets on the JSON corpus. When no
// compression was agreed the case is UNIMPLEMENTED. Autobahn sends 1,000 messages per case;
// the count is a parameter so that CI can run every case with fewer.
import { createHash } from 'node:crypto'
import {
  Case,
  type CaseEntry,
  CloseStatus,
  type DeflateAccept,
  type DeflateOffer,
  type ParsedOffer,
} from '../case.ts'
import { type Corpus, corpora } from '../corpora.ts'

/** Payload bytes, the fuzzer's fragment size when sending (0: one frame), seconds allowed. */
const SIZES: readonly [number, number, number][] = [
  [16, 0, 60],
  [64, 0, 60],
  [256, 0, 120],
  [1024, 0, 240],
  [4096, 0, 480],
  [8192, 0, 480],
  [16384, 0, 480],
  [32768, 0, 480],
  [65536, 0, 480],
  [131072, 0, 480],
  [8192, 256, 480],
  [16384, 256, 480],
  [32768, 256, 480],
  [65536, 256, 480],
  [131072, 256, 480],
  [131072, 1024, 480],
  [131072, 4096, 480],
  [131072, 32768, 480],
]

function sha1(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex')
}

type Accept = (offers: ParsedOffer[]) => DeflateAccept | null

class CompressedEcho extends Case {
  private sent = 0
  private readAt = 0
  private expectedHash = ''

  constructor(
    private readonly corpus: Corpus,
    private readonly length: number,
    private readonly fragment: number,
    private readonly count: number,
    private readonly waitSeconds: number,
    offers: DeflateOffer[],
    accept: Accept,
  ) {
    super()
    this.deflateOffers = offers
    this.deflateAccept = accept
    this.timeoutSeconds = waitSeconds
    this.expectedClose = { closedByMe: true, closeCode: [CloseStatus.NORMAL], requireClean: true }
  }

  onOpen(): void {
    this.p.autoFragmentSize = this.fragment
    if (!this.p.compressing) {
      this.behavior = 'UNIMPLEMENTED'
      this.result = 'permessage-deflate was not agreed.'
      this.p.sendClose(CloseStatus.NORMAL)
      return
    }
    this.behavior = 'FAILED'
    this.result = `Case did not finish within ${this.waitSeconds} seconds.`
    this.p.closeAfter(this.waitSeconds)
    this.sendOne()
  }

  private sendOne(): void {
    const data = this.corpus.data
    const from = this.readAt
    const to = (from + this.length) % data.length
    const message =
      to > from
        ? data.subarray(from, to)
        : (() => {
            const out = new Uint8Array(this.length)
            out.set(data.subarray(from))
            out.set(data.subarray(0, to), data.length - from)
            return out
          })()
    this.readAt = to
    this.expectedHash = sha1(message)
    this.sent++
    this.p.sendMessage(message, this.corpus.binary)
  }

  override onMessage(payload: Uint8Array, binary: boolean): void {
    if (this.behavior !== 'FAILED' || this.p.state !== 'OPEN') return
    if (binary !== this.corpus.binary) {
      this.result = `Echo'ed message type differs from what I sent (got binary ${binary}, expected binary ${this.corpus.binary}).`
      this.p.sendClose(CloseStatus.NORMAL)
    } else if (payload.length !== this.length) {
      this.result = `Echo'ed message length differs from what I sent (got length ${payload.length}, expected length ${this.length}).`
      this.p.sendClose(CloseStatus.NORMAL)
    } else if (sha1(payload) !== this.expectedHash) {
      this.result = `Echo'ed message contents differs from what I sent (message ${this.sent}).`
      this.p.sendClose(CloseStatus.NORMAL)
    } else if (this.sent < this.count) {
      this.sendOne()
    } else {
      this.behavior = 'OK'
      this.result = `Ok, received all ${this.count} echo'ed messages in time.`
      this.p.sendClose(CloseStatus.NORMAL)
    }
  }
}

/** Autobahn's default offer: client_no_context_takeover and client_max_window_bits, plus the requests. */
function offer(requestNoContextTakeover: boolean, requestMaxWindowBits: number): DeflateOffer {
  return {
    acceptNoContextTakeover: true,
    acceptMaxWindowBits: true,
    requestNoContextTakeover,
    requestMaxWindowBits,
  }
}

function acceptWith(noContextTakeover: boolean, windowBits: number): Accept {
  return (offers) => {
    for (const parsed of offers) {
      if (noContextTakeover && !parsed.acceptNoContextTakeover) continue
      if (windowBits !== 0 && !parsed.acceptMaxWindowBits) continue
      return { offer: parsed, requestNoContextTakeover: noContextTakeover, requestMaxWindowBits: windowBits }
    }
    return null
  }
}

const accept1 = acceptWith(false, 0)
const accept2 = acceptWith(true, 0)
const accept5 = acceptWith(true, 9)
const PARAMETER_SETS: readonly { offers: DeflateOffer[]; accept: Accept; text: string }[] = [
  { offers: [offer(false, 0)], accept: accept1, text: '[(False, 0)] / [(False, 0)]' },
  { offers: [offer(true, 0)], accept: accept2, text: '[(True, 0)] / [(True, 0)]' },
  { offers: [offer(false, 9)], accept: acceptWith(false, 9), text: '[(False, 9)] / [(False, 9)]' },
  { offers: [offer(false, 15)], accept: acceptWith(false, 15), text: '[(False, 15)] / [(False, 15)]' },
  { offers: [offer(true, 9)], accept: accept5, text: '[(True, 9)] / [(True, 9)]' },
  { offers: [offer(true, 15)], accept: acceptWith(true, 15), text: '[(True, 15)] / [(True, 15)]' },
  {
    offers: [offer(true, 9), offer(true, 0), offer(false, 0)],
    accept: (offers) => accept5(offers) ?? accept2(offers) ?? accept1(offers),
    text: '[(True, 9), (True, 0), (False, 0)] / [(True, 9), (True, 0), (False, 0)]',
  },
]

/** Families 12 and 13 with `count` messages per case (Autobahn: 1000). */
export function compressionFamilies(count: number): { family12: CaseEntry[]; family13: CaseEntry[] } {
  const family12: CaseEntry[] = []
  const family13: CaseEntry[] = []
  const all = corpora()
  all.forEach((corpus, j) => {
    SIZES.forEach(([length, fragment, wait], i) => {
      family12.push({
        id: `12.${j + 1}.${i + 1}`,
        description: `${corpus.description}: send ${count} compressed messages each of payload size ${length}, auto-fragment to ${fragment} octets. Use default permessage-deflate offer.`,
        expectation: `Receive echo'ed messages (with payload as sent). Timeout case after ${wait} secs.`,
        create: () => new CompressedEcho(corpus, length, fragment, count, wait, [offer(false, 0)], accept1),
      })
    })
  })
  const json = all[0] as Corpus
  PARAMETER_SETS.forEach((set, j) => {
    SIZES.forEach(([length, fragment, wait], i) => {
      family13.push({
        id: `13.${j + 1}.${i + 1}`,
        description: `${json.description}: send ${count} compressed messages each of payload size ${length}, auto-fragment to ${fragment} octets. Offers (requestNoContextTakeover, requestMaxWindowBits) / accepts: ${set.text}.`,
        expectation: `Receive echo'ed messages (with payload as sent). Timeout case after ${wait} secs.`,
        create: () => new CompressedEcho(json, length, fragment, count, wait, set.offers, set.accept),
      })
    })
  })
  return { family12, family13 }
}
