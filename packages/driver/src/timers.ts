/**
 * Timers through `globalThis`, which every runtime has, typed locally so the package compiles
 * without Node's or the DOM's types. Node's timers keep the process alive; the driver's timers
 * are all bounded waits that must not do that, so they are unref'd where the runtime can.
 */
export type TimerHandle = { readonly __timer: unique symbol }

interface TimerGlobals {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  setInterval(callback: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
  setImmediate?: (callback: () => void) => unknown
  clearImmediate?: (handle: unknown) => void
}

const timers = globalThis as unknown as TimerGlobals

function unref(handle: unknown): TimerHandle {
  if (typeof handle === 'object' && handle !== null && 'unref' in handle) {
    const unrefHandle = (handle as { unref?: () => void }).unref
    if (typeof unrefHandle === 'function') unrefHandle.call(handle)
  }
  return handle as TimerHandle
}

/** A timeout that does not keep the process alive. */
export function startTimeout(callback: () => void, ms: number): TimerHandle {
  return unref(timers.setTimeout(callback, ms))
}

export function stopTimeout(handle: TimerHandle): void {
  timers.clearTimeout(handle)
}

/** An interval that does not keep the process alive. */
export function startInterval(callback: () => void, ms: number): TimerHandle {
  return unref(timers.setInterval(callback, ms))
}

export function stopInterval(handle: TimerHandle): void {
  timers.clearInterval(handle)
}

/** Runs `callback` on the next turn of the event loop (after pending I/O callbacks where possible). */
export function nextTurn(callback: () => void): TimerHandle {
  if (typeof timers.setImmediate === 'function') return timers.setImmediate(callback) as TimerHandle
  return timers.setTimeout(callback, 0) as TimerHandle
}
