/**
 * Argument checks at the API edge: options are validated once, in the constructors, and input
 * must be a real Uint8Array. Wrong arguments are programming errors (TypeError / RangeError), not
 * DeflateErrors, which are reserved for malformed compressed data.
 */

/** True for a Uint8Array, a subclass such as Node's Buffer, or a Uint8Array from another realm. */
function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && value.constructor.name === 'Uint8Array')
}

export function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!isBytes(value)) {
    const got = value === null ? 'null' : typeof value === 'object' ? value.constructor?.name : typeof value
    throw new TypeError(`${what} must be a Uint8Array, got ${got}`)
  }
}

function integerIn(value: unknown, what: string, low: number, high: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > high) {
    throw new RangeError(`${what} must be an integer from ${low} to ${high}, got ${String(value)}`)
  }
  return value
}

export const windowBitsOption = (value: unknown): number => integerIn(value, 'windowBits', 8, 15, 15)
export const levelOption = (value: unknown): number => integerIn(value, 'level', 0, 9, 6)
export const memLevelOption = (value: unknown): number => integerIn(value, 'memLevel', 1, 9, 8)

/** A byte count limit: a non-negative integer or Infinity. */
export function outputLimitOption(value: unknown, what = 'maxOutput'): number {
  if (value === undefined) return Number.POSITIVE_INFINITY
  if (
    typeof value !== 'number' ||
    value < 0 ||
    !(Number.isInteger(value) || value === Number.POSITIVE_INFINITY)
  ) {
    throw new RangeError(`${what} must be a non-negative integer or Infinity, got ${String(value)}`)
  }
  return value
}

/** Joins chunks into one array, without copying when there is only one. */
export function concatenate(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array
  let length = 0
  for (const chunk of chunks) length += chunk.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}
