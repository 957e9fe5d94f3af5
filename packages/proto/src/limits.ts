/** Resource limits of a connection. Every limit is checked before memory is committed to it. */
export interface Limits {
  /** Largest frame payload accepted, in bytes (on the wire, before decompression). 1009 beyond. */
  maxFrameSize: number
  /** Largest message accepted, in bytes, after decompression. 1009 beyond. */
  maxMessageSize: number
  /**
   * Most frames one message may be split into. 1008 beyond. Autobahn 9.3.1 sends a message as
   * 65,536 frames, so keep it above that; each frame costs only its bytes.
   */
  maxFragments: number
  /**
   * Most events waiting in `takeEvents()`. When reached, the connection stops parsing and keeps
   * the rest of the input until the events are taken (`inputPaused` tells the adapter to pause).
   */
  maxQueuedEvents: number
  /** Most bytes of input kept unparsed while paused. The connection fails with 1008 beyond. */
  maxPendingInput: number
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameSize: 16 * 1024 * 1024,
  maxMessageSize: 16 * 1024 * 1024,
  maxFragments: 131072,
  maxQueuedEvents: 1024,
  maxPendingInput: 4 * 1024 * 1024,
})

/**
 * Fills in `defaults` and checks each given value: a non-negative integer, or Infinity for no
 * limit. Shared by the connection's limits and the handshake's HTTP head limits.
 */
export function resolveNumericLimits<T extends object>(
  defaults: Readonly<T>,
  limits: Partial<T> | undefined,
): T {
  const resolved = { ...defaults } as T
  if (limits) {
    for (const key of Object.keys(defaults) as (keyof T)[]) {
      const value = limits[key] as unknown
      if (value === undefined) continue
      if (typeof value !== 'number' || !(value === Infinity || (Number.isInteger(value) && value >= 0))) {
        throw new RangeError(
          `limits.${String(key)} must be a non-negative integer or Infinity, got ${String(value)}`,
        )
      }
      resolved[key] = value as T[keyof T]
    }
  }
  return resolved
}

export function resolveLimits(limits: Partial<Limits> | undefined): Limits {
  return resolveNumericLimits(DEFAULT_LIMITS, limits)
}
