/**
 * docs/api.md must stay true: every TypeScript example in it that ends with a `// prints:` block
 * runs (from the repository root, against the packages' sources) and prints exactly those lines.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { workspaceRoot } from '../src/workspace.ts'

const api = readFileSync(join(workspaceRoot, 'docs', 'api.md'), 'utf8')

/** Each example with the `## @ws/...` section it is in. */
const examples: { section: string; code: string }[] = []
let section = ''
for (const block of api.split(/^(?=## )/m)) {
  section = block.slice(3, block.indexOf('\n')).trim()
  for (const match of block.matchAll(/```ts\n([\s\S]*?)\n```/g)) {
    const code = match[1] as string
    if (code.includes('// prints:')) examples.push({ section, code })
  }
}

test('docs/api.md has runnable examples for the core and both adapters', () => {
  const sections = new Set(examples.map((example) => example.section))
  for (const name of ['@ws/proto', '@ws/node-tcp', '@ws/node-tls']) assert.ok(sections.has(name), name)
})

for (const [index, { section: name, code }] of examples.entries()) {
  test(`${name} example ${index + 1} runs and prints its "prints:" lines`, () => {
    const expected = code
      .slice(code.indexOf('// prints:\n') + '// prints:\n'.length)
      .split('\n')
      .map((line) => line.replace(/^\/\/ ?/, ''))
    // `@ws/<folder>` is src/index.ts, a subpath `@ws/<folder>/<name>` is src/<name>.ts.
    const source = code.replace(
      /from '@ws\/([a-z0-9-]+)(?:\/([a-z0-9-]+))?'/g,
      (_, folder: string, sub?: string) => {
        return `from '${join(workspaceRoot, 'packages', folder, 'src', `${sub ?? 'index'}.ts`)}'`
      },
    )
    const file = join(workspaceRoot, 'conformance', `.docs-example-${process.pid}-${index}.ts`)
    writeFileSync(file, source)
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', file], {
        cwd: workspaceRoot,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      })
      assert.is(run.status, 0, run.stderr)
      assert.equal(run.stdout.trimEnd().split('\n'), expected)
    } finally {
      rmSync(file, { force: true })
    }
  })
}

test.run()
