/**
 * WebSocket masking (RFC 6455 section 5.3): XOR with a 4-byte key, in place. Long runs go a
 * 32-bit word at a time; `phase` is the key offset of `data[0]`, so a payload that arrives in
 * pieces can be unmasked piece by piece.
 */

/** The key as one 32-bit word in the platform's byte order, built through a shared 4-byte view. */
const keyBytes = /* @__PURE__ */ new Uint8Array(4)
const keyWord = /* @__PURE__ */ new Uint32Array(keyBytes.buffer)

/** Below this many bytes, the byte loop beats creating a word view. */
const WORD_THRESHOLD = 64

/** XORs `data` in place with `key` (4 bytes), starting at key byte `phase` (0-3). */
export function applyMask(data: Uint8Array, key: Uint8Array, phase: number): void {
  const length = data.length
  let index = 0
  if (length >= WORD_THRESHOLD) {
    // Align to the buffer so the word view is legal.
    while ((data.byteOffset + index) & 3) {
      data[index] ^= key[(phase + index) & 3]
      index++
    }
    keyBytes[0] = key[(phase + index) & 3]
    keyBytes[1] = key[(phase + index + 1) & 3]
    keyBytes[2] = key[(phase + index + 2) & 3]
    keyBytes[3] = key[(phase + index + 3) & 3]
    const word = keyWord[0]
    const words = (length - index) >>> 2
    const view = new Uint32Array(data.buffer, data.byteOffset + index, words)
    let w = 0
    const unrolled = words & ~3
    for (; w < unrolled; w += 4) {
      view[w] ^= word
      view[w + 1] ^= word
      view[w + 2] ^= word
      view[w + 3] ^= word
    }
    for (; w < words; w++) view[w] ^= word
    index += words << 2
  }
  for (; index < length; index++) data[index] ^= key[(phase + index) & 3]
}
