/**
 * `@ws/proto/wasm-mask`: the WebAssembly SIMD masking kernel, opt-in as ws's bufferutil is. The
 * core masks in TypeScript unless this entry is used; `@ws/driver` (every transport of this
 * project) calls `preferWasmMasking()`, so only an application embedding the core by itself
 * chooses here.
 */
export { type MaskingKernel, preferWasmMasking, setMaskingKernel } from './mask.ts'
