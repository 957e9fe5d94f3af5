/**
 * The web-standard globals the driver uses, reached through `globalThis` with local types, so
 * the package compiles without DOM or Node types and its .d.ts adds nothing to a user's globals.
 * Every runtime we target (browsers, Node, Deno, Bun, workers) provides them.
 */

/** The part of an AbortSignal the driver uses (a DOM or Node AbortSignal fits). */
export interface AbortSignalLike {
  readonly aborted: boolean
  readonly reason?: unknown
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}

interface AbortControllerLike {
  readonly signal: AbortSignalLike
  abort(reason?: unknown): void
}

interface WebGlobals {
  AbortController: new () => AbortControllerLike
  queueMicrotask(callback: () => void): void
}

const web = globalThis as unknown as WebGlobals

export function newAbortController(): AbortControllerLike {
  return new web.AbortController()
}

export function microtask(callback: () => void): void {
  web.queueMicrotask(callback)
}
