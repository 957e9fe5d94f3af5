/**
 * The web-platform globals this package builds on, reached through `globalThis` with small local
 * types, so that the package compiles without DOM or Node types and its .d.ts adds nothing to a
 * user's globals. The runtime's own classes are used wherever they exist.
 */

export interface WebEvent {
  readonly type: string
  readonly bubbles: boolean
  readonly cancelable: boolean
  readonly defaultPrevented: boolean
  readonly isTrusted: boolean
  preventDefault(): void
}

export interface WebEventInit {
  bubbles?: boolean
  cancelable?: boolean
  composed?: boolean
}

/** A listener; method syntax makes the parameter bivariant, so `(event: Event) => void` fits. */
export type WebListener =
  | { listener(event: WebEvent): unknown }['listener']
  | { handleEvent(event: WebEvent): unknown }

export interface WebEventTarget {
  addEventListener(type: string, listener: WebListener | null, options?: unknown): void
  removeEventListener(type: string, listener: WebListener | null, options?: unknown): void
  dispatchEvent(event: WebEvent): boolean
}

export interface WebBlob {
  readonly size: number
  readonly type: string
  arrayBuffer(): Promise<ArrayBuffer>
}

export interface WebAbortSignal extends WebEventTarget {
  readonly aborted: boolean
  readonly reason: unknown
}

export interface WebAbortController {
  readonly signal: WebAbortSignal
  abort(reason?: unknown): void
}

export interface WebUrl {
  href: string
  protocol: string
  readonly origin: string
  readonly host: string
  readonly hostname: string
  readonly port: string
  readonly hash: string
}

export interface ReadableController<T> {
  readonly desiredSize: number | null
  enqueue(chunk: T): void
  close(): void
  error(reason?: unknown): void
}

export interface WritableController {
  error(reason?: unknown): void
}

export interface WebReadableStream<T> {
  readonly locked: boolean
  getReader(): {
    read(): Promise<{ done: boolean; value?: T }>
    cancel(reason?: unknown): Promise<void>
    releaseLock(): void
  }
  cancel(reason?: unknown): Promise<void>
  pipeTo(
    destination: WebWritableStream<T>,
    options?: {
      preventClose?: boolean
      preventAbort?: boolean
      preventCancel?: boolean
      signal?: WebAbortSignal
    },
  ): Promise<void>
  [Symbol.asyncIterator](): AsyncIterableIterator<T>
}

export interface WebWritableStream<T> {
  readonly locked: boolean
  getWriter(): {
    write(chunk: T): Promise<void>
    close(): Promise<void>
    abort(reason?: unknown): Promise<void>
    releaseLock(): void
    readonly ready: Promise<void>
    readonly desiredSize: number | null
  }
  close(): Promise<void>
  abort(reason?: unknown): Promise<void>
}

interface Globals {
  EventTarget: new () => WebEventTarget
  Event: new (type: string, init?: WebEventInit) => WebEvent
  MessageEvent?: new (type: string, init?: WebEventInit & { data?: unknown; origin?: string }) => WebEvent
  CloseEvent?: new (
    type: string,
    init?: WebEventInit & { wasClean?: boolean; code?: number; reason?: string },
  ) => WebEvent
  DOMException: new (message?: string, name?: string) => Error & { readonly code: number }
  Blob?: new (parts: ArrayLike<unknown>, options?: { type?: string }) => WebBlob
  URL: new (input: string, base?: string) => WebUrl
  TextEncoder: new () => { encode(input: string): Uint8Array }
  AbortController: new () => WebAbortController
  AbortSignal?: abstract new () => WebAbortSignal
  ReadableStream: new <T>(
    source: {
      start?(controller: ReadableController<T>): void
      pull?(controller: ReadableController<T>): Promise<void> | void
      cancel?(reason: unknown): Promise<void> | void
    },
    strategy?: { highWaterMark?: number },
  ) => WebReadableStream<T>
  WritableStream: new <T>(
    sink: {
      start?(controller: WritableController): void
      write?(chunk: T): Promise<void> | void
      close?(): Promise<void> | void
      abort?(reason: unknown): Promise<void> | void
    },
    strategy?: { highWaterMark?: number },
  ) => WebWritableStream<T>
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  setImmediate?: (callback: () => void) => unknown
  location?: { href?: unknown }
  SharedArrayBuffer?: abstract new (length: number) => object
}

export const web = globalThis as unknown as Globals

/**
 * A global class to extend at load time. In a runtime without it the package still loads (it
 * needs nothing but the language to load); the subclass then throws when constructed.
 */
export function baseClass<T>(name: 'Event' | 'DOMException' | 'EventTarget'): T {
  const found = (globalThis as Record<string, unknown>)[name]
  return (typeof found === 'function' ? found : missingGlobal(name)) as T
}

/** A constructor that says which global is missing. */
function missingGlobal(name: string): () => never {
  return function Missing(): never {
    throw new TypeError(`globalThis.${name} is not available in this runtime`)
  }
}

/** A DOMException with the given name ("SyntaxError", "InvalidStateError"...). */
export function domException(message: string, name: string): Error {
  return new web.DOMException(message, name)
}

let encoder: { encode(input: string): Uint8Array } | undefined

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as USVString conversion does). */
export function encodeUtf8(text: string): Uint8Array {
  encoder ??= new web.TextEncoder()
  return encoder.encode(text)
}

/** The UTF-8 length of a string, counting a lone surrogate as U+FFFD (3 bytes), without encoding it. */
export function utf8Length(text: string): number {
  let length = text.length
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code < 0x80) continue
    if (code < 0x800) {
      length += 1
    } else if (code >= 0xd800 && code <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1)
      // A surrogate pair: 2 UTF-16 units, 4 UTF-8 bytes.
      if (next >= 0xdc00 && next <= 0xdfff) {
        length += 2
        index++
      } else {
        length += 2
      }
    } else {
      length += 2
    }
  }
  return length
}
