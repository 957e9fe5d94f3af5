// Which test files run in the runtimes other than Node: every `test/*.test.ts` of the packages
// named in MULTI_RUNTIME (conformance/src/workspace.ts). A package without such files is skipped.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

/** The `test/*.test.ts` files of a package folder, sorted as uvu sorts them. */
export function testFiles(folder) {
  let names = []
  try {
    names = readdirSync(join(folder, 'test')).filter((name) => name.endsWith('.test.ts'))
  } catch {
    return []
  }
  return names.sort().map((name) => join(folder, 'test', name))
}
