/**
 * Argument checks shared by the package's entry points.
 *
 * Only a real `Uint8Array` (or a subclass such as Node's `Buffer`, or one from another realm) is
 * accepted. Other typed arrays are refused rather than reinterpreted: a `Uint16Array` hashed as
 * its underlying bytes would silently hash something the caller did not mean.
 */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && value.constructor.name === 'Uint8Array')
}

export function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!isBytes(value)) {
    throw new TypeError(`${what} must be a Uint8Array, got ${describe(value)}`)
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'object') return value.constructor?.name ?? 'object'
  return typeof value
}
