// Wraps uvu's suite() and test so that a test listed for this runtime in exclusions.mjs is
// registered with .skip: uvu counts it as skipped, never as passed. Excluded tests that are found
// are in WS_EXCLUDED; the ones not found stay in WS_EXCLUSIONS_UNUSED (run-files.mjs fails them).
import { testExclusionsFor } from '../exclusions.mjs'

export function wrapUvu(uvu, runtime = globalThis.WS_RUNTIME) {
  const pending = new Map(
    testExclusionsFor(runtime).map((entry) => [`${entry.file}\u0000${entry.test}`, entry]),
  )
  globalThis.WS_EXCLUSIONS_UNUSED = pending
  globalThis.WS_EXCLUDED = []
  const wrap = (test) => {
    const register = (name, handler) => {
      const key = `${globalThis.WS_CURRENT_FILE}\u0000${name}`
      const exclusion = pending.get(key)
      if (!exclusion) return test(name, handler)
      pending.delete(key)
      globalThis.WS_EXCLUDED.push(exclusion)
      return test.skip(name, handler)
    }
    return Object.assign(register, test)
  }
  return { test: wrap(uvu.test), suite: (name, state) => wrap(uvu.suite(name, state)) }
}
