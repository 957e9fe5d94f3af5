/**
 * WebSocket masking (RFC 6455 section 5.3): XOR with a 4-byte key. The key is passed around as
 * one 32-bit "mask word" in little-endian byte order, already turned to where a run of bytes
 * starts: byte i of the run is XORed with byte (i & 3) of the word. So a payload that arrives in
 * pieces is masked piece by piece, each with the word for its key phase.
 *
 * Long runs go through the WebAssembly SIMD kernel (mask-wasm.ts) once it is opted into and where
 * the runtime allows it, else 32 bits at a time through word views.
 */
import { TILE_BYTES, type WasmMasker, wasmMasker } from './mask-wasm.ts'

/** Below this many bytes, the byte loop beats creating word views. */
const WORD_THRESHOLD = 64
/** From this many bytes on, the WebAssembly kernel beats the word loop (tile copies included). */
const WASM_THRESHOLD = 512

/** A 4-byte scratch seen as bytes and as one word in the platform's byte order. */
const scratchBytes = /* @__PURE__ */ new Uint8Array(4)
const scratchWord = /* @__PURE__ */ new Uint32Array(scratchBytes.buffer)

export type MaskingKernel = 'wasm' | 'typescript'

/**
 * What makes the WebAssembly kernel: null until someone opts in, so that a bundle which never
 * does (the core alone) leaves the kernel's bytes out, as ws leaves out bufferutil.
 */
let makeWasm: (() => WasmMasker | null) | null = null
/** The kernel in use: undefined until first needed, null for the TypeScript path. */
let wasm: WasmMasker | null | undefined
/** Set once setMaskingKernel() chose; then preferWasmMasking() leaves the choice alone. */
let chosen = false

/**
 * Chooses how long runs are masked: 'wasm' (used when the runtime allows it) or 'typescript'.
 * The core alone masks in TypeScript; `@ws/driver`, and so every transport of this project,
 * prefers the WebAssembly kernel (see `preferWasmMasking`). Returns the kernel now in effect.
 * Exported from `@ws/proto/wasm-mask`.
 */
export function setMaskingKernel(kind: MaskingKernel): MaskingKernel {
  if (kind !== 'wasm' && kind !== 'typescript') throw new TypeError(`unknown masking kernel ${String(kind)}`)
  chosen = true
  makeWasm = kind === 'wasm' ? wasmMasker : null
  wasm = undefined
  return loadWasm() === null ? 'typescript' : 'wasm'
}

/**
 * Makes the WebAssembly kernel the default (loaded on first use), unless `setMaskingKernel()`
 * already chose a kernel. `@ws/driver` calls it when it makes a connection.
 */
export function preferWasmMasking(): void {
  if (chosen || makeWasm !== null) return
  makeWasm = wasmMasker
  wasm = undefined
}

function loadWasm(): WasmMasker | null {
  if (wasm === undefined) wasm = makeWasm === null ? null : makeWasm()
  return wasm
}

/** The mask word for a run that starts at key byte `phase` (0-3) of `key` (4 bytes). */
export function maskWord(key: Uint8Array, phase: number): number {
  return (
    key[phase & 3] | (key[(phase + 1) & 3] << 8) | (key[(phase + 2) & 3] << 16) | (key[(phase + 3) & 3] << 24)
  )
}

/** The mask word for a run that starts at key byte `phase` (0-3) of the key word `word` (phase 0). */
export function rotateMask(word: number, phase: number): number {
  return phase === 0 ? word : (word >>> (8 * phase)) | (word << (32 - 8 * phase))
}

/** XORs `data` in place with `key` (4 bytes), starting at key byte `phase` (0-3). */
export function applyMask(data: Uint8Array, key: Uint8Array, phase: number): void {
  maskInPlace(data, maskWord(key, phase))
}

/** XORs `data` in place with the mask word `word`. */
export function maskInPlace(data: Uint8Array, word: number): void {
  const length = data.length
  if (length >= WASM_THRESHOLD) {
    const kernel = wasm === undefined ? loadWasm() : wasm
    if (kernel !== null) {
      const memory = kernel.memory
      // Tiles start at multiples of 4, so every tile uses the same word.
      for (let start = 0; start < length; start += TILE_BYTES) {
        const tile = start === 0 && length <= TILE_BYTES ? data : data.subarray(start, start + TILE_BYTES)
        memory.set(tile)
        kernel.mask(tile.length, word)
        data.set(memory.subarray(0, tile.length), start)
      }
      return
    }
  }
  maskWords(data, 0, data, 0, length, word)
}

/**
 * Writes `source` XOR the mask word `word` into `target` at `offset`; `source` is left
 * unchanged. Unmasking while copying, instead of copying and then unmasking the copy, reads and
 * writes each byte once (the WebAssembly kernel adds only copies within its own small memory).
 */
export function maskCopy(source: Uint8Array, word: number, target: Uint8Array, offset: number): void {
  const length = source.length
  if (length >= WASM_THRESHOLD) {
    const kernel = wasm === undefined ? loadWasm() : wasm
    if (kernel !== null) {
      const memory = kernel.memory
      for (let start = 0; start < length; start += TILE_BYTES) {
        const tile = start === 0 && length <= TILE_BYTES ? source : source.subarray(start, start + TILE_BYTES)
        memory.set(tile)
        kernel.mask(tile.length, word)
        target.set(memory.subarray(0, tile.length), offset + start)
      }
      return
    }
  }
  if (((source.byteOffset ^ (target.byteOffset + offset)) & 3) === 0) {
    maskWords(source, 0, target, offset, length, word)
  } else {
    // Source and target can never be word-aligned together: copy, then mask the target in place.
    target.set(source, offset)
    maskWords(target, offset, target, offset, length, word)
  }
}

/**
 * The TypeScript kernel: `target[to + i] = source[from + i] ^ mask` for `length` bytes, 32 bits
 * at a time when both sides are equally aligned (the caller makes sure of that, or passes the
 * same array and offset twice), bytes at the ends.
 */
function maskWords(
  source: Uint8Array,
  from: number,
  target: Uint8Array,
  to: number,
  length: number,
  word: number,
): void {
  let index = 0
  if (length >= WORD_THRESHOLD) {
    while ((source.byteOffset + from + index) & 3) {
      target[to + index] = source[from + index] ^ (word >>> ((index & 3) << 3))
      index++
    }
    // The key bytes from the aligned start on, as a word in the platform's byte order.
    for (let j = 0; j < 4; j++) scratchBytes[j] = word >>> (((index + j) & 3) << 3)
    const aligned = scratchWord[0]
    const words = (length - index) >>> 2
    const input = new Uint32Array(source.buffer, source.byteOffset + from + index, words)
    const output =
      source === target && from === to
        ? input
        : new Uint32Array(target.buffer, target.byteOffset + to + index, words)
    let w = 0
    const unrolled = words & ~3
    for (; w < unrolled; w += 4) {
      output[w] = input[w] ^ aligned
      output[w + 1] = input[w + 1] ^ aligned
      output[w + 2] = input[w + 2] ^ aligned
      output[w + 3] = input[w + 3] ^ aligned
    }
    for (; w < words; w++) output[w] = input[w] ^ aligned
    index += words << 2
  }
  for (; index < length; index++) target[to + index] = source[from + index] ^ (word >>> ((index & 3) << 3))
}
