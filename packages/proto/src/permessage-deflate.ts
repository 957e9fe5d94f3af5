/**
 * permessage-deflate (RFC 7692) on @ws/deflate: negotiation for both roles and the per-message
 * codec.
 *
 * Sending: the message is compressed, sync-flushed, and the trailing 00 00 ff ff is removed;
 * RSV1 marks the first frame. Receiving: 00 00 ff ff is appended and the payload is inflated,
 * never past the bytes the message may still have (the receiver's budget), so a small bomb fails
 * with 1009 before it expands. Each direction keeps its sliding window across messages unless
 * its no_context_takeover parameter was agreed.
 */
import { DeflateError, Deflater, Inflater } from '@ws/deflate'
import {
  type DeflateParams,
  MAX_WINDOW_BITS,
  MIN_WINDOW_BITS,
  readDeflateParams,
  writeDeflateParams,
} from './deflate-params.ts'
import { ExtensionError } from './errors.ts'
import type { Extension, ExtensionFactory, ExtensionParam } from './extension.ts'
import { RSV1 } from './frame.ts'

export interface PerMessageDeflateOptions {
  /**
   * Client: ask the server to reset its window after every message. Server: always do so (and
   * say so), whether or not the client asked. Default false.
   */
  serverNoContextTakeover?: boolean
  /**
   * Client: reset the window after every message it sends. Server: require that of the client
   * (client_no_context_takeover in the response). Default false.
   */
  clientNoContextTakeover?: boolean
  /**
   * Client: ask the server to compress with at most 2^n-byte windows (server_max_window_bits;
   * a response without it, or with more, fails the handshake). Default 15 (not asked). Server:
   * the window it compresses with, default 14 (memory per connection); the response names it
   * only when the client asked for a limit or this option is set.
   */
  serverMaxWindowBits?: number
  /**
   * Client: the window it compresses with, offered as client_max_window_bits (without a value
   * when 15). Default 15. Server: the largest window it lets a client use, when the client's
   * offer says it can be limited; the server's inflater is sized by it. Default 13.
   */
  clientMaxWindowBits?: number
  /** Compression level, 0 (store) to 9 (smallest). Default 6. */
  level?: number
  /** Compressor memory level, 1..9 (hash table and block size). Default 8; a server's 4. */
  memLevel?: number
  /** Messages shorter than this many bytes are sent uncompressed. Default 1024. */
  threshold?: number
}

/** What one connection uses, after negotiation, for the direction it sends and the one it receives. */
interface CodecSettings {
  params: ExtensionParam[]
  sendWindowBits: number
  sendNoContextTakeover: boolean
  receiveWindowBits: number
  receiveNoContextTakeover: boolean
  level: number
  memLevel: number
  threshold: number
}

const NAME = 'permessage-deflate'
/**
 * The server's defaults, chosen by measurement (docs/benchmarks.md): it compresses within 2^14
 * bytes and lets clients use 2^13, with memLevel 4. On small JSON messages that compresses within
 * 5% of 15-bit windows both ways, for under half the memory per connection of ws's defaults.
 */
const SERVER_DEFAULT_SERVER_WINDOW_BITS = 14
const SERVER_DEFAULT_CLIENT_WINDOW_BITS = 13
const SERVER_DEFAULT_MEM_LEVEL = 4
const TAIL = /* @__PURE__ */ Uint8Array.of(0x00, 0x00, 0xff, 0xff)

function integerOption(value: unknown, what: string, low: number, high: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > high) {
    throw new RangeError(
      `permessage-deflate: ${what} must be an integer from ${low} to ${high}, got ${String(value)}`,
    )
  }
  return value
}

function booleanOption(value: unknown, what: string): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') throw new TypeError(`permessage-deflate: ${what} must be a boolean`)
  return value
}

/**
 * The permessage-deflate extension factory, for `ClientHandshake` and `ServerHandshake`
 * (`extensions: [new PerMessageDeflate()]`). One factory serves any number of connections;
 * each negotiation creates its own codec.
 */
export class PerMessageDeflate implements ExtensionFactory {
  readonly name = NAME
  readonly #serverNoContextTakeover: boolean
  readonly #clientNoContextTakeover: boolean
  readonly #serverMaxWindowBits: number
  readonly #clientMaxWindowBits: number
  /** The server role's windows: the options, or 14 (its own) and 13 (the client's) when not given. */
  readonly #serverRoleServerBits: number
  readonly #serverRoleClientBits: number
  /** Whether serverMaxWindowBits was given (the server then always names it). */
  readonly #serverBitsGiven: boolean
  /** The server role's memLevel: the option, or 4 (a 2K-entry hash table, 1K-symbol blocks). */
  readonly #serverRoleMemLevel: number
  readonly #level: number
  readonly #memLevel: number
  readonly #threshold: number

  constructor(options: PerMessageDeflateOptions = {}) {
    this.#serverNoContextTakeover = booleanOption(options.serverNoContextTakeover, 'serverNoContextTakeover')
    this.#clientNoContextTakeover = booleanOption(options.clientNoContextTakeover, 'clientNoContextTakeover')
    this.#serverMaxWindowBits = integerOption(
      options.serverMaxWindowBits,
      'serverMaxWindowBits',
      MIN_WINDOW_BITS,
      MAX_WINDOW_BITS,
      MAX_WINDOW_BITS,
    )
    this.#clientMaxWindowBits = integerOption(
      options.clientMaxWindowBits,
      'clientMaxWindowBits',
      MIN_WINDOW_BITS,
      MAX_WINDOW_BITS,
      MAX_WINDOW_BITS,
    )
    this.#serverBitsGiven = options.serverMaxWindowBits !== undefined
    this.#serverRoleServerBits = this.#serverBitsGiven
      ? this.#serverMaxWindowBits
      : SERVER_DEFAULT_SERVER_WINDOW_BITS
    this.#serverRoleClientBits =
      options.clientMaxWindowBits !== undefined
        ? this.#clientMaxWindowBits
        : SERVER_DEFAULT_CLIENT_WINDOW_BITS
    this.#level = integerOption(options.level, 'level', 0, 9, 6)
    this.#memLevel = integerOption(options.memLevel, 'memLevel', 1, 9, 8)
    this.#serverRoleMemLevel = options.memLevel === undefined ? SERVER_DEFAULT_MEM_LEVEL : this.#memLevel
    this.#threshold = integerOption(options.threshold, 'threshold', 0, Number.MAX_SAFE_INTEGER, 1024)
  }

  /** Client: one offer. client_max_window_bits is always offered: we accept any limit. */
  offer(): ExtensionParam[][] {
    return [
      writeDeflateParams({
        serverNoContextTakeover: this.#serverNoContextTakeover,
        clientNoContextTakeover: this.#clientNoContextTakeover,
        serverMaxWindowBits: this.#serverMaxWindowBits < MAX_WINDOW_BITS ? this.#serverMaxWindowBits : null,
        clientMaxWindowBits: this.#clientMaxWindowBits < MAX_WINDOW_BITS ? this.#clientMaxWindowBits : true,
      }),
    ]
  }

  /**
   * Client: checks the server's response against the offer (RFC 7692 section 7). Throws, which
   * fails the handshake, for an unknown, repeated or malformed parameter, a client_max_window_bits
   * larger than offered, a server_max_window_bits missing or larger than asked for, or a missing
   * server_no_context_takeover that was asked for.
   */
  acceptResponse(params: readonly ExtensionParam[]): Extension {
    const response = readDeflateParams(params, false)
    if (typeof response === 'string') throw new Error(response)
    if (this.#serverNoContextTakeover && !response.serverNoContextTakeover) {
      throw new Error('server_no_context_takeover was requested but not accepted')
    }
    const askedServerBits = this.#serverMaxWindowBits
    const serverBits = response.serverMaxWindowBits
    if (askedServerBits < MAX_WINDOW_BITS && (serverBits === null || serverBits > askedServerBits)) {
      throw new Error(
        `server_max_window_bits=${askedServerBits} was requested, the response has ${serverBits ?? 'none'}`,
      )
    }
    const clientBits = response.clientMaxWindowBits as number | null
    if (clientBits !== null && clientBits > this.#clientMaxWindowBits) {
      throw new Error(
        `client_max_window_bits=${clientBits} is larger than the offered ${this.#clientMaxWindowBits}`,
      )
    }
    return new DeflateCodec({
      params: [...params],
      sendWindowBits: clientBits ?? this.#clientMaxWindowBits,
      sendNoContextTakeover: this.#clientNoContextTakeover || response.clientNoContextTakeover,
      receiveWindowBits: serverBits ?? MAX_WINDOW_BITS,
      receiveNoContextTakeover: response.serverNoContextTakeover,
      level: this.#level,
      memLevel: this.#memLevel,
      threshold: this.#threshold,
    })
  }

  /**
   * Server: accepts the first offer it can (RFC 7692 section 5); an offer with an unknown,
   * repeated or malformed parameter is declined and the next one tried.
   */
  acceptOffer(
    offers: readonly (readonly ExtensionParam[])[],
  ): { params: ExtensionParam[]; extension: Extension } | null {
    for (const offerParams of offers) {
      const offer = readDeflateParams(offerParams, true)
      if (typeof offer === 'string') continue
      return this.#accept(offer)
    }
    return null
  }

  #accept(offer: DeflateParams): { params: ExtensionParam[]; extension: Extension } {
    const serverBits =
      offer.serverMaxWindowBits === null
        ? this.#serverRoleServerBits
        : Math.min(offer.serverMaxWindowBits, this.#serverRoleServerBits)
    // Without client_max_window_bits in the offer the response may not limit the client's window.
    let clientBits: number = MAX_WINDOW_BITS
    if (offer.clientMaxWindowBits !== null) {
      const hint = offer.clientMaxWindowBits === true ? MAX_WINDOW_BITS : offer.clientMaxWindowBits
      clientBits = Math.min(hint, this.#serverRoleClientBits)
    }
    const response: DeflateParams = {
      serverNoContextTakeover: this.#serverNoContextTakeover || offer.serverNoContextTakeover,
      clientNoContextTakeover: this.#clientNoContextTakeover,
      // A server may compress with a smaller window than allowed without saying so; naming it
      // unasked is allowed too, but some clients (old Firefox) refuse that, so only on request.
      serverMaxWindowBits:
        offer.serverMaxWindowBits !== null || (this.#serverBitsGiven && serverBits < MAX_WINDOW_BITS)
          ? serverBits
          : null,
      clientMaxWindowBits: clientBits < MAX_WINDOW_BITS ? clientBits : null,
    }
    const params = writeDeflateParams(response)
    const extension = new DeflateCodec({
      params,
      sendWindowBits: serverBits,
      sendNoContextTakeover: response.serverNoContextTakeover,
      receiveWindowBits: clientBits,
      receiveNoContextTakeover: response.clientNoContextTakeover,
      level: this.#level,
      memLevel: this.#serverRoleMemLevel,
      threshold: this.#threshold,
    })
    return { params, extension }
  }
}

/**
 * One connection's permessage-deflate codec. The compressor and inflater are created on first
 * use, so a connection that never sends (or receives) a compressed message never pays for one.
 */
class DeflateCodec implements Extension {
  readonly name = NAME
  readonly rsvBits = RSV1
  readonly params: readonly ExtensionParam[]
  readonly #settings: CodecSettings
  #deflater: Deflater | null = null
  #inflater: Inflater | null = null
  /** Whether the message being sent is compressed (decided on its first fragment). */
  #compressing = false

  constructor(settings: CodecSettings) {
    this.#settings = settings
    this.params = settings.params
  }

  startMessage(rsv: number): boolean {
    return (rsv & RSV1) !== 0
  }

  decode(data: Uint8Array, budget: number): Uint8Array[] {
    return this.#inflate(data, budget)
  }

  endMessage(budget: number): Uint8Array[] {
    const output = this.#inflate(TAIL, budget)
    const inflater = this.#inflater as Inflater
    if (!inflater.atBlockBoundary) {
      throw new ExtensionError(
        'WS_ERR_INVALID_COMPRESSED_DATA',
        1007,
        'invalid compressed data: the message ends inside a DEFLATE block',
        output,
      )
    }
    // A final block (RFC 7692 7.2.3.4) ends the peer's DEFLATE stream: the next message starts a
    // new one. Otherwise the window is kept unless the peer resets it after every message.
    if (inflater.finished || this.#settings.receiveNoContextTakeover) inflater.reset()
    return output
  }

  encode(data: Uint8Array, first: boolean, last: boolean): { data: Uint8Array; rsv: number } {
    const settings = this.#settings
    if (first) this.#compressing = !(last && data.length < settings.threshold)
    if (!this.#compressing) return { data, rsv: 0 }
    let deflater = this.#deflater
    if (deflater === null) {
      deflater = new Deflater({
        level: settings.level,
        memLevel: settings.memLevel,
        windowBits: settings.sendWindowBits,
      })
      this.#deflater = deflater
    }
    deflater.write(data)
    let out = deflater.syncFlush()
    if (last) {
      // The flush ends with the empty stored block 00 00 ff ff, which the receiver adds back.
      out = out.subarray(0, out.length - TAIL.length)
      if (settings.sendNoContextTakeover) deflater.reset()
    }
    return { data: out, rsv: first ? RSV1 : 0 }
  }

  /**
   * Without context takeover on our side, a message's compressed form depends only on these
   * settings, so connections that share them can share it.
   */
  sharedEncoding(): string | null {
    const settings = this.#settings
    if (!settings.sendNoContextTakeover || this.#compressing) return null
    return `${NAME};w=${settings.sendWindowBits};l=${settings.level};m=${settings.memLevel};t=${settings.threshold}`
  }

  #inflate(data: Uint8Array, budget: number): Uint8Array[] {
    let inflater = this.#inflater
    if (inflater === null) {
      // Exactly the agreed window: a reference beyond it is invalid data (1007).
      inflater = new Inflater({ windowBits: this.#settings.receiveWindowBits, ignoreDataAfterEnd: true })
      this.#inflater = inflater
    }
    inflater.setOutputLimit(budget)
    try {
      return inflater.push(data)
    } catch (error) {
      if (!(error instanceof DeflateError)) throw error
      if (error.code === 'DEFLATE_OUTPUT_LIMIT') {
        throw new ExtensionError(
          'WS_ERR_MESSAGE_TOO_BIG',
          1009,
          'compressed message inflates past the message size limit',
          error.output,
        )
      }
      throw new ExtensionError(
        'WS_ERR_INVALID_COMPRESSED_DATA',
        1007,
        `invalid compressed data: ${error.message}`,
        error.output,
      )
    }
  }
}
