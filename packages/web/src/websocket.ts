/**
 * The WebSocket interface (WebSockets Standard) with its WebIDL shape: argument conversions
 * and checks in the Standard's order, accessors and operations on the prototype that check
 * their receiver, constants on the constructor and the prototype, event handler attributes.
 * One class is made per connector (see createWebSocketClasses); the behaviour is in
 * WebSocketCore.
 */
import { closeFrameArgs, validateCloseCodeAndReason } from './close-args.ts'
import type { Connector, DriverConnection } from './driver-types.ts'
import { defineEventHandlers } from './event-handlers.ts'
import {
  baseClass,
  domException,
  utf8Length,
  type WebEvent,
  type WebEventTarget,
  type web,
} from './globals.ts'
import { checkProtocols } from './protocols.ts'
import { getUrlRecord } from './url.ts'
import {
  bufferSourceBytes,
  isBlob,
  requireArguments,
  shapeInterface,
  toClampedUnsignedShort,
  toDOMString,
  toSequence,
  toUSVString,
} from './webidl.ts'
import { type BinaryType, CLOSED, CLOSING, CONNECTING, OPEN, WebSocketCore } from './websocket-core.ts'

/** The options object a WebSocket accepts as its second argument (as Deno and undici do). */
export interface WebSocketInit {
  /** Subprotocols to offer: a string or a sequence of strings. */
  protocols?: string | Iterable<string>
  /** Any other option is handed to the connector (headers, TLS options, limits...). */
  [option: string]: unknown
}

/** An event handler (method syntax: the parameter is bivariant, so DOM-typed handlers fit). */
export type EventHandler<E> = { handler(this: WebSocketInstance, event: E): unknown }['handler']

export interface WebSocketInstance extends WebEventTarget {
  readonly url: string
  readonly readyState: number
  readonly bufferedAmount: number
  readonly extensions: string
  readonly protocol: string
  binaryType: BinaryType
  onopen: EventHandler<WebEvent> | null
  onmessage: EventHandler<WebEvent & { readonly data: unknown; readonly origin: string }> | null
  onerror: EventHandler<WebEvent> | null
  onclose: EventHandler<
    WebEvent & { readonly code: number; readonly reason: string; readonly wasClean: boolean }
  > | null
  send(
    data:
      | string
      | ArrayBuffer
      | ArrayBufferView
      | { readonly size: number; arrayBuffer(): Promise<ArrayBuffer> },
  ): void
  close(code?: number, reason?: string): void
  readonly CONNECTING: 0
  readonly OPEN: 1
  readonly CLOSING: 2
  readonly CLOSED: 3
}

export interface WebSocketConstructor {
  new (
    url: string | { toString(): string },
    protocols?: string | Iterable<string> | WebSocketInit,
  ): WebSocketInstance
  readonly prototype: WebSocketInstance
  readonly CONNECTING: 0
  readonly OPEN: 1
  readonly CLOSING: 2
  readonly CLOSED: 3
}

const cores = new WeakMap<object, WebSocketCore>()

function coreOf(receiver: unknown): WebSocketCore {
  const core = typeof receiver === 'object' && receiver !== null ? cores.get(receiver) : undefined
  if (core === undefined) throw new TypeError('Illegal invocation: the receiver is not a WebSocket')
  return core
}

/** Used by websocketFromConnection to wrap an accepted connection (never reachable by users). */
export const ADOPT: unique symbol = Symbol('adopt a connection')

const CONSTANTS = { CONNECTING, OPEN, CLOSING, CLOSED }

/** Subprotocols from the constructor's second argument, and the options object if it was one. */
function readSecondArgument(value: unknown): { protocols: string[]; init: Record<string, unknown> } {
  if (value === undefined) return { protocols: [], init: {} }
  if (typeof value === 'object' && value !== null && !(Symbol.iterator in value)) {
    // An options dictionary (not part of the Standard, as in Deno and undici).
    const init = { ...(value as Record<string, unknown>) }
    const protocols = init.protocols
    delete init.protocols
    return { protocols: readProtocols(protocols), init }
  }
  return { protocols: readProtocols(value), init: {} }
}

/** `(DOMString or sequence<DOMString>)`: an iterable object is a sequence, anything else a string. */
function readProtocols(value: unknown): string[] {
  if (value === undefined) return []
  if (
    ((typeof value === 'object' && value !== null) || typeof value === 'function') &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  ) {
    return toSequence(value, toDOMString, 'protocols')
  }
  return [toDOMString(value)]
}

/** Defines a WebSocket class whose objects connect through `connector`. */
export function defineWebSocket(connector: Connector): WebSocketConstructor {
  class WebSocket extends baseClass<typeof web.EventTarget>('EventTarget') {
    constructor(url: unknown, protocols: unknown = undefined) {
      if (url === ADOPT) {
        super()
        // biome-ignore lint/complexity/noArguments: WebIDL checks how many arguments were passed, while the function's length must stay as the IDL says
        const [, connection, address] = arguments as unknown as [symbol, DriverConnection, string | undefined]
        adopt(this, connection, address)
        return
      }
      // biome-ignore lint/complexity/noArguments: WebIDL checks how many arguments were passed, while the function's length must stay as the IDL says
      requireArguments(arguments.length, 1, "Failed to construct 'WebSocket'")
      const urlText = toUSVString(url)
      const second = readSecondArgument(protocols)
      const record = getUrlRecord(urlText)
      checkProtocols(second.protocols)
      connector.check?.(second.init)
      super()
      const core = new WebSocketCore(this, record.href, record.origin)
      cores.set(this, core)
      core.connect(connector, record.hostKey, second.protocols, second.init)
    }

    get url(): string {
      return coreOf(this).url
    }

    get readyState(): number {
      return coreOf(this).readyState
    }

    get bufferedAmount(): number {
      return coreOf(this).bufferedAmount
    }

    get extensions(): string {
      return coreOf(this).extensions
    }

    get protocol(): string {
      return coreOf(this).protocol
    }

    get binaryType(): BinaryType {
      return coreOf(this).binaryType
    }

    set binaryType(value: unknown) {
      const core = coreOf(this)
      const text = toDOMString(value)
      // An enumeration attribute ignores values outside the enumeration.
      if (text === 'blob' || text === 'arraybuffer') core.binaryType = text
    }

    close(...args: unknown[]): void {
      const core = coreOf(this)
      const code = args[0] === undefined ? null : toClampedUnsignedShort(args[0])
      const reason = args[1] === undefined ? '' : toUSVString(args[1])
      validateCloseCodeAndReason(code, reason)
      core.close(closeFrameArgs(code, reason))
    }

    send(data: unknown): void {
      const core = coreOf(this)
      // biome-ignore lint/complexity/noArguments: WebIDL checks how many arguments were passed, while the function's length must stay as the IDL says
      requireArguments(arguments.length, 1, "Failed to execute 'send' on 'WebSocket'")
      // (BufferSource or Blob or USVString), matched in WebIDL's order.
      let blob: { size: number } | null = null
      let bytes: Uint8Array | null = null
      let text = ''
      if (isBlob(data)) blob = data
      else bytes = bufferSourceBytes(data)
      if (blob === null && bytes === null) text = toUSVString(data)
      if (core.readyState === CONNECTING) {
        throw domException(
          "Failed to execute 'send' on 'WebSocket': Still in CONNECTING state.",
          'InvalidStateError',
        )
      }
      const outbox = core.outbox
      if (core.readyState !== OPEN) {
        // The closing handshake has started: the data is dropped, but still counted.
        outbox.drop(blob !== null ? blob.size : bytes !== null ? bytes.byteLength : utf8Length(text))
        return
      }
      if (blob !== null && isBlob(data)) outbox.blob(data)
      else if (bytes !== null) outbox.bytes(outbox.busy || core.copiesBinary ? bytes.slice() : bytes)
      else outbox.text(text, utf8Length(text))
    }
  }

  shapeInterface(
    WebSocket,
    ['url', 'readyState', 'bufferedAmount', 'extensions', 'protocol', 'binaryType', 'close', 'send'],
    CONSTANTS,
    'WebSocket',
  )
  defineEventHandlers(WebSocket.prototype, ['open', 'error', 'close', 'message'], coreOf)
  return WebSocket as unknown as WebSocketConstructor
}

function adopt(target: WebEventTarget, connection: DriverConnection, address: string | undefined): void {
  let url = ''
  let origin = 'null'
  if (address !== undefined) {
    const record = getUrlRecord(address)
    url = record.href
    origin = record.origin
  }
  const core = new WebSocketCore(target, url, origin)
  cores.set(target, core)
  core.established(connection)
}
