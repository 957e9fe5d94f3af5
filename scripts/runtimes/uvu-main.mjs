// Entry for Deno and Bun: `deno run -A uvu-main.mjs FILE...` or `bun uvu-main.mjs FILE...` runs
// the given uvu test files (absolute paths) unchanged. It lives at the workspace root's level so
// that Deno resolves bare specifiers through the root package.json and node_modules.
import { runFiles } from './run-files.mjs'

globalThis.WS_RUNTIME ??= globalThis.Deno ? 'deno' : 'bun'
const args = globalThis.Deno ? globalThis.Deno.args : globalThis.process.argv.slice(2)
const root = new URL('../../', import.meta.url).pathname
const toUrl = (path) => new URL(`file://${path.split('/').map(encodeURIComponent).join('/')}`).href
/** Names are relative to the workspace root, as in exclusions.mjs. */
const name = (path) => (path.startsWith(root) ? path.slice(root.length) : path)
await runFiles(args.map((file) => [name(file), () => import(toUrl(file))]))
