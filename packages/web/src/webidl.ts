/**
 * The few WebIDL conversions and interface-shape rules the WebSocket interfaces need
 * (https://webidl.spec.whatwg.org): DOMString, USVString, [Clamp] and [EnforceRange]
 * unsigned short, BufferSource, argument counts, and the property attributes WebIDL gives
 * accessors, operations, constants, the class string and the interface name.
 */
import { type WebBlob, web } from './globals.ts'

/** WebIDL DOMString: ECMAScript ToString (a Symbol throws TypeError). */
export function toDOMString(value: unknown): string {
  if (typeof value === 'symbol') throw new TypeError('Cannot convert a Symbol value to a string')
  return String(value)
}

/** WebIDL USVString: a DOMString with each lone surrogate replaced by U+FFFD. */
export function toUSVString(value: unknown): string {
  const text = toDOMString(value)
  return isWellFormed(text) ? text : replaceLoneSurrogates(text)
}

function isWellFormed(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code < 0xd800 || code > 0xdfff) continue
    if (code > 0xdbff) return false
    const next = text.charCodeAt(index + 1)
    if (!(next >= 0xdc00 && next <= 0xdfff)) return false
    index++
  }
  return true
}

function replaceLoneSurrogates(text: string): string {
  let out = ''
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text[index] + (text[index + 1] as string)
        index++
        continue
      }
      out += '\ufffd'
    } else if (code >= 0xdc00 && code <= 0xdfff) {
      out += '\ufffd'
    } else {
      out += text[index]
    }
  }
  return out
}

/** ECMAScript ToNumber (a Symbol or BigInt throws TypeError). */
function toNumber(value: unknown): number {
  if (typeof value === 'bigint') throw new TypeError('Cannot convert a BigInt value to a number')
  return Number(value)
}

/** WebIDL `[Clamp] unsigned short`: NaN is 0, clamped to 0..65535, rounded half to even. */
export function toClampedUnsignedShort(value: unknown): number {
  const number = toNumber(value)
  if (Number.isNaN(number)) return 0
  const clamped = Math.min(Math.max(number, 0), 65535)
  const floor = Math.floor(clamped)
  const fraction = clamped - floor
  if (fraction > 0.5) return floor + 1
  if (fraction < 0.5) return floor
  return floor % 2 === 0 ? floor : floor + 1
}

/** WebIDL `[EnforceRange] unsigned short`: TypeError unless finite and, truncated, in 0..65535. */
export function toEnforcedUnsignedShort(value: unknown, what: string): number {
  const number = toNumber(value)
  if (!Number.isFinite(number)) throw new TypeError(`${what} must be a finite number, got ${String(value)}`)
  const integer = Math.trunc(number)
  if (integer < 0 || integer > 65535) {
    throw new TypeError(`${what} must be between 0 and 65535, got ${String(value)}`)
  }
  return integer === 0 ? 0 : integer
}

/** TypeError when fewer than `required` arguments were passed (WebIDL overload resolution). */
export function requireArguments(count: number, required: number, what: string): void {
  if (count < required) {
    throw new TypeError(
      `${what}: ${required} argument${required === 1 ? '' : 's'} required, but only ${count} present.`,
    )
  }
}

function isShared(buffer: unknown): boolean {
  const Shared = web.SharedArrayBuffer
  return Shared !== undefined && buffer instanceof Shared
}

/**
 * The bytes of a WebIDL BufferSource (an ArrayBuffer, or the section of its buffer that an
 * ArrayBufferView covers) as a view without copying; null when `value` is not one. A shared
 * buffer is a TypeError, as BufferSource has no [AllowShared].
 */
export function bufferSourceBytes(value: unknown): Uint8Array | null {
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  if (ArrayBuffer.isView(value)) {
    if (isShared(value.buffer)) throw new TypeError('a view on a SharedArrayBuffer is not a BufferSource')
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
  }
  if (isShared(value)) throw new TypeError('a SharedArrayBuffer is not a BufferSource')
  return null
}

/** True when `value` is a Blob of this realm. */
export function isBlob(value: unknown): value is WebBlob {
  const Blob = web.Blob
  return Blob !== undefined && value instanceof Blob
}

/** A dictionary argument: undefined and null are empty; anything else must be an object. */
export function toDictionary(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new TypeError(`${what} must be an object`)
  }
  return value as Record<string, unknown>
}

/** WebIDL `sequence<T>`: any iterable object, each item converted. */
export function toSequence<T>(value: unknown, convert: (item: unknown) => T, what: string): T[] {
  if (
    (typeof value !== 'object' && typeof value !== 'function') ||
    value === null ||
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(`${what} must be a sequence (an iterable object)`)
  }
  return Array.from(value as Iterable<unknown>, convert)
}

/**
 * Gives a class the property attributes WebIDL prescribes: accessors and operations on the
 * prototype enumerable, constants on both the constructor and the prototype (enumerable,
 * neither writable nor configurable), and the class string under Symbol.toStringTag.
 */
export function shapeInterface(
  target: { prototype: object },
  members: readonly string[],
  constants: Readonly<Record<string, number>>,
  tag: string,
): void {
  const prototype = target.prototype
  for (const name of members) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name)
    if (descriptor === undefined) throw new Error(`internal: ${tag}.prototype.${name} is missing`)
    Object.defineProperty(prototype, name, { ...descriptor, enumerable: true })
  }
  for (const [name, value] of Object.entries(constants)) {
    const descriptor = { value, writable: false, enumerable: true, configurable: false }
    Object.defineProperty(target, name, descriptor)
    Object.defineProperty(prototype, name, descriptor)
  }
  // The interface's name, also where a bundler renamed the class (WebSocket2...).
  Object.defineProperty(target, 'name', {
    value: tag,
    writable: false,
    enumerable: false,
    configurable: true,
  })
  Object.defineProperty(prototype, Symbol.toStringTag, {
    value: tag,
    writable: false,
    enumerable: false,
    configurable: true,
  })
}
