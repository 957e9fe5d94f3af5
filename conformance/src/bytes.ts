// Byte helpers shared by the conformance suite and the fuzzer.

const encoder = new TextEncoder()

/** Bytes as they are; a string as its UTF-8 encoding. */
export function bytesOf(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value
}

/** The parts joined into one new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
