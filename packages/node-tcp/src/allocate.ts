/**
 * Buffers without zero-filling for the core's joined messages and large frames (the core
 * overwrites every byte). Small sizes stay zero-filled Uint8Arrays: Buffer.allocUnsafe would hand
 * out slices of a shared 8 KiB pool, which a retained small message would pin, and whose
 * `buffer` is not the message's own. Events carry plain Uint8Arrays either way.
 */
export function allocateUnfilled(size: number): Uint8Array {
  if (size < 4096) return new Uint8Array(size)
  // A plain Uint8Array over the unfilled memory: events carry the same type whatever the size.
  const buffer = Buffer.allocUnsafeSlow(size)
  return new Uint8Array(buffer.buffer, buffer.byteOffset, size)
}
