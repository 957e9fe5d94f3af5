/**
 * The WebSocketStream interface (the WebSocketStream draft) with its WebIDL shape:
 *
 *   constructor(USVString url, optional WebSocketStreamOptions options = {});
 *   readonly attribute USVString url;
 *   readonly attribute Promise<WebSocketOpenInfo> opened;
 *   readonly attribute Promise<WebSocketCloseInfo> closed;
 *   undefined close(optional WebSocketCloseInfo closeInfo = {});
 *
 * One class is made per connector (see createWebSocketClasses); the behaviour is in StreamCore.
 */
import type { Connector, DriverConnection } from './driver-types.ts'
import { type WebAbortSignal, web } from './globals.ts'
import { checkProtocols } from './protocols.ts'
import { StreamCore, type WebSocketCloseResult, type WebSocketOpenInfo } from './stream-core.ts'
import { getUrlRecord } from './url.ts'
import { requireArguments, shapeInterface, toDictionary, toSequence, toUSVString } from './webidl.ts'
import { toCloseInfo, type WebSocketCloseInfo } from './websocket-error.ts'

export interface WebSocketStreamOptions {
  protocols?: Iterable<string>
  signal?: WebAbortSignal
  /** Any other option is handed to the connector (headers, TLS options, limits...). */
  [option: string]: unknown
}

export interface WebSocketStreamInstance {
  readonly url: string
  readonly opened: Promise<WebSocketOpenInfo>
  readonly closed: Promise<WebSocketCloseResult>
  close(closeInfo?: WebSocketCloseInfo): void
}

export interface WebSocketStreamConstructor {
  new (url: string | { toString(): string }, options?: WebSocketStreamOptions): WebSocketStreamInstance
  readonly prototype: WebSocketStreamInstance
}

const cores = new WeakMap<object, StreamCore>()

function coreOf(receiver: unknown): StreamCore {
  const core = typeof receiver === 'object' && receiver !== null ? cores.get(receiver) : undefined
  if (core === undefined) throw new TypeError('Illegal invocation: the receiver is not a WebSocketStream')
  return core
}

/** Used by streamFromConnection to wrap an accepted connection (never reachable by users). */
export const ADOPT_STREAM: unique symbol = Symbol('adopt a connection as a stream')

function toAbortSignal(value: unknown): WebAbortSignal {
  const Signal = web.AbortSignal
  if (Signal === undefined || !(value instanceof Signal)) {
    throw new TypeError("WebSocketStreamOptions.signal is not of type 'AbortSignal'")
  }
  return value
}

/** Defines a WebSocketStream class whose objects connect through `connector`. */
export function defineWebSocketStream(connector: Connector): WebSocketStreamConstructor {
  class WebSocketStream {
    constructor(url: unknown, options: unknown = undefined) {
      if (url === ADOPT_STREAM) {
        // biome-ignore lint/complexity/noArguments: WebIDL checks how many arguments were passed, while the function's length must stay as the IDL says
        const [, connection, address] = arguments as unknown as [symbol, DriverConnection, string | undefined]
        const core = new StreamCore(address === undefined ? '' : getUrlRecord(address).href)
        cores.set(this, core)
        core.established(connection)
        return
      }
      // biome-ignore lint/complexity/noArguments: WebIDL checks how many arguments were passed, while the function's length must stay as the IDL says
      requireArguments(arguments.length, 1, "Failed to construct 'WebSocketStream'")
      const urlText = toUSVString(url)
      const dictionary = toDictionary(options, 'WebSocketStreamOptions')
      const protocols =
        dictionary.protocols === undefined ? [] : toSequence(dictionary.protocols, toUSVString, 'protocols')
      const signal = dictionary.signal === undefined ? undefined : toAbortSignal(dictionary.signal)
      const init: Record<string, unknown> = { ...dictionary }
      delete init.protocols
      delete init.signal
      const record = getUrlRecord(urlText)
      checkProtocols(protocols)
      connector.check?.(init)
      const core = new StreamCore(record.href)
      cores.set(this, core)
      core.connect(connector, record.hostKey, protocols, init, signal)
    }

    get url(): string {
      return coreOf(this).url
    }

    // A promise-typed attribute rejects, rather than throws, on a wrong receiver (WebIDL).
    get opened(): Promise<WebSocketOpenInfo> {
      try {
        return coreOf(this).opened.promise
      } catch (error) {
        return Promise.reject(error)
      }
    }

    get closed(): Promise<WebSocketCloseResult> {
      try {
        return coreOf(this).closed.promise
      } catch (error) {
        return Promise.reject(error)
      }
    }

    close(...args: unknown[]): void {
      const core = coreOf(this)
      const info = toCloseInfo(args[0], 'WebSocketCloseInfo')
      core.close(info.closeCode, info.reason)
    }
  }

  shapeInterface(WebSocketStream, ['url', 'opened', 'closed', 'close'], {}, 'WebSocketStream')
  return WebSocketStream as unknown as WebSocketStreamConstructor
}
