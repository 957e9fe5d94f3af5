import { libraryConfig } from '../../tsup.library.ts'

// Three entries: the core, `@ws/proto/h2` (RFC 8441 handshakes) and `@ws/proto/wasm-mask` (the
// opt-in masking kernel). Code they share goes to chunks that all load, in ESM and in CJS, so
// there is one copy of every class and of the masking state (an `instanceof HandshakeError`
// holds for an error from any entry).
export default libraryConfig('neutral', ['src/index.ts', 'src/h2.ts', 'src/wasm-mask.ts'])
