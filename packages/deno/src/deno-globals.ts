/**
 * The few Deno and web-stream globals this package uses, reached through `globalThis` with
 * small local types, so that the package compiles without Deno's, Node's or the DOM's types and
 * its .d.ts adds nothing to a user's globals.
 */

/** The part of a Deno.Conn (or Deno.TlsConn) used here. */
export interface DenoConn {
  read(buffer: Uint8Array): Promise<number | null>
  write(data: Uint8Array): Promise<number>
  closeWrite(): Promise<void>
  close(): void
  readonly remoteAddr?: { hostname?: string; port?: number }
  setNoDelay?(noDelay?: boolean): void
  handshake?(): Promise<unknown>
}

export interface DenoConnectOptions {
  hostname: string
  port: number
}

export interface DenoConnectTlsOptions extends DenoConnectOptions {
  /** PEM CA certificates to trust in addition to the default roots. */
  caCerts?: string[]
  /** PEM client certificate chain and key (mutual TLS). */
  cert?: string
  key?: string
  alpnProtocols?: string[]
}

export interface DenoNamespace {
  connect(options: DenoConnectOptions): Promise<DenoConn>
  connectTls(options: DenoConnectTlsOptions): Promise<DenoConn>
}

export interface StreamController {
  enqueue(chunk: Uint8Array): void
  close(): void
  error(reason: unknown): void
}

interface StreamGlobals {
  Deno?: DenoNamespace
  ReadableStream: new (
    source: {
      pull(controller: StreamController): Promise<void>
      cancel(reason?: unknown): void
    },
    strategy: { highWaterMark: number },
  ) => unknown
  WritableStream: new (
    sink: {
      write(chunk: Uint8Array): Promise<void>
      close(): Promise<void>
      abort(reason?: unknown): void
    },
    strategy: { highWaterMark: number; size(chunk: Uint8Array): number },
  ) => unknown
}

export const globals = globalThis as unknown as StreamGlobals

/** The Deno namespace, or a clear error outside Deno. */
export function deno(): DenoNamespace {
  const namespace = globals.Deno
  if (namespace === undefined || typeof namespace.connect !== 'function') {
    throw new TypeError('@ws/deno needs Deno (globalThis.Deno.connect); in Node or Bun use @ws/node')
  }
  return namespace
}
