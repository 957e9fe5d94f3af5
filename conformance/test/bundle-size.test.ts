// Bundle-size budgets for the runtime-neutral core, and proof that tree-shaking leaves out
// @ws/deflate when permessage-deflate is not used. Measured on the published builds: run after
// `pnpm build` (pnpm test builds first).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { formatKB, KB, measureBundle, usesPackage } from '../src/bundle-size.ts'

const CLIENT = "export { ClientHandshake, WebSocketConnection } from '@ws/proto'"
const CLIENT_DEFLATE = "export { ClientHandshake, PerMessageDeflate, WebSocketConnection } from '@ws/proto'"
const CORE = ["export * from '@ws/crypto'", "export * from '@ws/deflate'", "export * from '@ws/proto'"].join(
  '\n',
)
const WEB = "export * from '@ws/web'"
// Star exports of the same name from two modules cancel out, so name them apart.
const CORE_AND_WEB = `${CORE}\nexport * as web from '@ws/web'`

// The targets are 12 KB and 25 KB (the issue that set them measured 25.0 KB for the core). Since
// then the core gained the RFC 8441 handshakes (1.4 KB gzipped) and the WebAssembly masking
// kernel: these budgets hold today's sizes with a small margin, so that growth is caught.
// docs/architecture.md ("Bundle size") measures every cut available and what is left after them.
const CLIENT_BUDGET = 13.75 * KB
const CORE_BUDGET = 28.75 * KB

const client = await measureBundle(CLIENT)
const clientDeflate = await measureBundle(CLIENT_DEFLATE)
const core = await measureBundle(CORE)

const row = (what: string, size: { minified: number; gzipped: number }, budget?: number) =>
  `  ${what.padEnd(46)} ${formatKB(size.minified).padStart(9)} min ${formatKB(size.gzipped).padStart(8)} gz${budget ? `  (budget ${formatKB(budget)})` : ''}`

test('tree-shaking: a client without PerMessageDeflate carries no byte of @ws/deflate', () => {
  assert.ok(usesPackage(client, 'proto'), 'the client bundle holds @ws/proto')
  assert.ok(usesPackage(client, 'crypto'), 'the client bundle holds @ws/crypto (SHA-1 for the accept check)')
  assert.not.ok(usesPackage(client, 'deflate'), `@ws/deflate is in the bundle: ${client.inputs.join(', ')}`)
  // The same check finds @ws/deflate as soon as the client uses permessage-deflate.
  assert.ok(usesPackage(clientDeflate, 'deflate'))
  assert.ok(clientDeflate.gzipped > client.gzipped)
})

test(`the client side of the core without permessage-deflate is at most ${formatKB(CLIENT_BUDGET)} (gzip)`, () => {
  assert.ok(
    client.gzipped <= CLIENT_BUDGET,
    `client bundle is ${client.gzipped} bytes gzipped, over ${CLIENT_BUDGET}`,
  )
})

test(`the full core (crypto, deflate, proto) is at most ${formatKB(CORE_BUDGET)} (gzip)`, () => {
  assert.ok(core.gzipped <= CORE_BUDGET, `core bundle is ${core.gzipped} bytes gzipped, over ${CORE_BUDGET}`)
})

test('the WHATWG package bundles for a neutral platform (no Node built-ins); its size is reported', async () => {
  const web = await measureBundle(WEB)
  assert.ok(usesPackage(web, 'web') && usesPackage(web, 'driver'))
  const coreAndWeb = await measureBundle(CORE_AND_WEB)
  assert.ok(coreAndWeb.gzipped > core.gzipped)
  console.log(
    [
      '\n  bundle sizes (esbuild minified ESM, neutral platform, then gzip):',
      row('client, no permessage-deflate', client, CLIENT_BUDGET),
      row('client with permessage-deflate', clientDeflate),
      row('full core: crypto, deflate, proto', core, CORE_BUDGET),
      row('@ws/web with everything it uses', web),
      row('full core and @ws/web', coreAndWeb),
      `  @ws/web on top of the full core: ${formatKB(coreAndWeb.gzipped - core.gzipped)} gz`,
    ].join('\n'),
  )
})

test('a module that needs Node cannot be bundled for the neutral platform: the measurement fails', async () => {
  let failure: unknown = null
  try {
    await measureBundle("export { readFileSync } from 'node:fs'")
  } catch (error) {
    failure = error
  }
  assert.match(String(failure), /node:fs/)
})

test.run()
