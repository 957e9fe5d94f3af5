/**
 * An optional WebAssembly SIMD kernel for masking: one exported function, `mask(length, key)`,
 * XORs bytes [0, length rounded up to 64) of the module's own memory with the 32-bit `key`
 * repeated (16 bytes per instruction). Callers copy a tile of data in, call it and copy the tile
 * out; the copies are native memcpy, so this beats the word loop in plain TypeScript by several
 * times. Where WebAssembly or SIMD is not available (or a content security policy forbids it),
 * `wasmMasker()` returns null and the TypeScript path in mask.ts does the work.
 */

/**
 * The module, written by hand in the WebAssembly binary format (core spec 2.0, SIMD). In text
 * format:
 *
 *   (module
 *     (memory (export "memory") 2)
 *     (func (export "mask") (param $length i32) (param $key i32)
 *       (local $i i32) (local $k v128)
 *       (local.set $k (i32x4.splat (local.get $key)))
 *       (block (loop
 *         (br_if 1 (i32.ge_u (local.get $i) (local.get $length)))
 *         ;; four times, offsets 0, 16, 32, 48:
 *         (v128.store offset=N (local.get $i)
 *           (v128.xor (v128.load offset=N (local.get $i)) (local.get $k)))
 *         (local.set $i (i32.add (local.get $i) (i32.const 64)))
 *         (br 0)))))
 */
// biome-ignore format: one line per section or instruction group
const MODULE = /* @__PURE__ */ new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x06, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x00, // type section: (i32, i32) -> ()
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x05, 0x03, 0x01, 0x00, 0x02, // memory section: one memory, 2 pages (128 KiB), no maximum
  0x07, 0x11, 0x02, // export section, two exports:
  0x04, 0x6d, 0x61, 0x73, 0x6b, 0x00, 0x00, // "mask": function 0
  0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, // "memory": memory 0
  0x0a, 0x65, 0x01, 0x63, // code section, one body of 0x63 bytes
  0x02, 0x01, 0x7f, 0x01, 0x7b, // locals: $i i32, $k v128
  0x20, 0x01, 0xfd, 0x11, 0x21, 0x03, // $k = i32x4.splat($key)
  0x02, 0x40, 0x03, 0x40, // block, loop
  0x20, 0x02, 0x20, 0x00, 0x4f, 0x0d, 0x01, // br_if 1 ($i >= $length)
  0x20, 0x02, 0x20, 0x02, 0xfd, 0x00, 0x04, 0x00, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x00, // offset 0
  0x20, 0x02, 0x20, 0x02, 0xfd, 0x00, 0x04, 0x10, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x10, // offset 16
  0x20, 0x02, 0x20, 0x02, 0xfd, 0x00, 0x04, 0x20, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x20, // offset 32
  0x20, 0x02, 0x20, 0x02, 0xfd, 0x00, 0x04, 0x30, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x30, // offset 48
  0x20, 0x02, 0x41, 0xc0, 0x00, 0x6a, 0x21, 0x02, // $i += 64
  0x0c, 0x00, 0x0b, 0x0b, 0x0b, // br 0, end loop, end block, end function
])

/** Bytes of the module's memory used per call: a tile, plus room for the rounding up to 64. */
export const TILE_BYTES = 65536

/** The kernel: `memory` is the tile (TILE_BYTES + 64 bytes), `mask` XORs its first `length` bytes. */
export interface WasmMasker {
  readonly memory: Uint8Array
  mask(length: number, key: number): void
}

interface WasmInstance {
  readonly exports: { mask: unknown; memory: { buffer: ArrayBuffer } }
}
interface WasmGlobal {
  Module: new (bytes: Uint8Array) => object
  Instance: new (compiled: object) => WasmInstance
}

/**
 * Compiles and instantiates the module; null when the runtime has no WebAssembly, no SIMD, or
 * refuses to compile (a content security policy). Synchronous: the module is 147 bytes, far
 * under the size browsers allow to compile on the main thread.
 */
export function wasmMasker(): WasmMasker | null {
  const wasm = (globalThis as { WebAssembly?: WasmGlobal }).WebAssembly
  if (wasm === undefined) return null
  try {
    const instance = new wasm.Instance(new wasm.Module(MODULE))
    const mask = instance.exports.mask as (length: number, key: number) => void
    return { memory: new Uint8Array(instance.exports.memory.buffer, 0, TILE_BYTES + 64), mask }
  } catch {
    return null
  }
}
