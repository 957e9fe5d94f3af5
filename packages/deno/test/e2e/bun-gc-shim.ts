/**
 * Preloaded by Bun when running @ws/node-tcp's robustness tests (see RUNTIMES.md): those tests
 * get V8's gc() with `setFlagsFromString('--expose-gc')` and `runInNewContext('gc')`, which is
 * Node-only. Under Bun, this makes that call return Bun's own full collection instead.
 */
import { createRequire } from 'node:module'

declare const Bun: { gc(force: boolean): void }

const vm = createRequire(import.meta.url)('node:vm') as {
  runInNewContext(code: string, ...rest: unknown[]): unknown
}
const original = vm.runInNewContext
vm.runInNewContext = (code: string, ...rest: unknown[]) =>
  code === 'gc' ? () => Bun.gc(true) : original(code, ...rest)
