/**
 * The few web-standard globals the core uses, reached through `globalThis` with local types, so
 * the package compiles without DOM or Node types and its .d.ts adds nothing to a user's globals.
 * Every runtime we target (browsers, Node, Deno, Bun, workers) provides all of them.
 */
interface WebTextDecoder {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string
}
interface WebTextEncoder {
  encode(input: string): Uint8Array
  encodeInto(input: string, destination: Uint8Array): { read: number; written: number }
}
interface WebGlobals {
  TextDecoder: new (label: string, options: { fatal?: boolean; ignoreBOM?: boolean }) => WebTextDecoder
  TextEncoder: new () => WebTextEncoder
  crypto?: { getRandomValues(array: Uint8Array): Uint8Array }
  URL: new (
    input: string,
  ) => {
    protocol: string
    host: string
    hostname: string
    port: string
    pathname: string
    search: string
    hash: string
    username: string
    password: string
  }
}

const web = globalThis as unknown as WebGlobals

// Created on first use, so that loading the package needs nothing but the language itself.
let decoder: WebTextDecoder | undefined
let encoder: WebTextEncoder | undefined

/** Decodes UTF-8 (already validated), keeping a leading U+FEFF: a message is data, not a document. */
export function decodeUtf8(bytes: Uint8Array): string {
  decoder ??= new web.TextDecoder('utf-8', { ignoreBOM: true })
  return decoder.decode(bytes)
}

let strictDecoder: WebTextDecoder | undefined

/** Validates and decodes UTF-8 in one native pass; null when `bytes` is not valid UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array): string | null {
  strictDecoder ??= new web.TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  try {
    return strictDecoder.decode(bytes)
  } catch {
    return null
  }
}

/**
 * Validates and decodes one text message as its pieces arrive, natively: a fatal, streaming
 * TextDecoder reports an invalid byte in the piece that holds it (fail fast), and `end()`
 * reports a message that stops inside a sequence. One per receiver, reused message after message.
 * With `keepText` false it only validates (text delivered as bytes) and `end()` gives ''.
 */
export class Utf8StreamDecoder {
  readonly #decoder = new web.TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  #parts: string[] = []

  readonly #keepText: boolean

  constructor(keepText = true) {
    this.#keepText = keepText
  }

  /** Takes the next piece; false when it makes the message invalid UTF-8. */
  push(bytes: Uint8Array): boolean {
    try {
      const text = this.#decoder.decode(bytes, { stream: true })
      if (text !== '' && this.#keepText) this.#parts.push(text)
      return true
    } catch {
      this.#parts = []
      return false
    }
  }

  /** The whole message's text, or null when it ends inside a UTF-8 sequence. Then ready for the next. */
  end(): string | null {
    const parts = this.#parts
    this.#parts = []
    try {
      const tail = this.#decoder.decode()
      if (tail !== '') parts.push(tail)
    } catch {
      return null
    }
    return parts.length === 1 ? (parts[0] as string) : parts.join('')
  }

  /** Drops a message in progress. */
  reset(): void {
    this.#parts = []
    try {
      this.#decoder.decode()
    } catch {
      // An unfinished sequence is simply dropped.
    }
  }
}

/** Encodes a string as UTF-8 (lone surrogates become U+FFFD). */
export function encodeUtf8(text: string): Uint8Array {
  encoder ??= new web.TextEncoder()
  return encoder.encode(text)
}

/** Parses a URL with the WHATWG URL parser. */
export const parseUrl = (input: string): InstanceType<WebGlobals['URL']> => new web.URL(input)

/** Fills `out` from the runtime's cryptographically secure source; throws if there is none. */
export function secureRandomFill(out: Uint8Array): void {
  const crypto = web.crypto
  if (!crypto) throw new Error('globalThis.crypto.getRandomValues is not available: pass randomFill')
  // getRandomValues accepts at most 65,536 bytes per call.
  for (let offset = 0; offset < out.length; offset += 65536) {
    crypto.getRandomValues(out.subarray(offset, Math.min(out.length, offset + 65536)))
  }
}
