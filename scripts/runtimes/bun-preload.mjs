// Bun preload (`bun --preload`): Bun's runtime plugins do not see bare imports such as `uvu`, so
// this rewrites uvu's own module as it loads: its suite and test are wrapped by wrapUvu, which
// skips the tests listed for Bun in exclusions.mjs. Only uvu 0.5's two export lines change.
import { readFileSync } from 'node:fs'

globalThis.WS_RUNTIME = 'bun'
const wrapper = new URL('./browser/uvu-exclusions.mjs', import.meta.url).pathname

Bun.plugin({
  name: 'ws-uvu-exclusions',
  setup(build) {
    build.onLoad({ filter: /[\\/]uvu[\\/]dist[\\/]index\.mjs$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8')
      const renamed = source
        .replace('export const suite = ', 'const realSuite = ')
        .replace('export const test = suite();', 'const realTest = realSuite();')
      if (renamed === source || renamed.includes('export const test')) {
        throw new Error(`bun-preload.mjs: ${args.path} is not the uvu 0.5 it knows how to wrap`)
      }
      const contents = `${renamed}
import { wrapUvu } from ${JSON.stringify(wrapper)}
const wrapped = wrapUvu({ suite: realSuite, test: realTest })
export const suite = wrapped.suite
export const test = wrapped.test
`
      return { contents, loader: 'js' }
    })
  },
})
