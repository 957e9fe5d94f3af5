/** docs/api.md must stay true: every @ws/node-tcp example runs and prints its "prints:" lines. */
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const api = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'api.md'), 'utf8')
const start = api.indexOf('## @ws/node-tcp')
const end = api.indexOf('\n## ', start + 1)
const section = api.slice(start, end === -1 ? undefined : end)
const examples = [...section.matchAll(/```ts\n([\s\S]*?)\n```/g)]
  .map((match) => match[1] as string)
  .filter((code) => code.includes('// prints:'))

test('the section has runnable examples', () => {
  assert.ok(examples.length >= 2, `found ${examples.length}`)
})

for (const [index, code] of examples.entries()) {
  test(`example ${index + 1} runs and prints what it says`, () => {
    const expected = code
      .slice(code.indexOf('// prints:\n') + '// prints:\n'.length)
      .split('\n')
      .map((line) => line.replace(/^\/\/ /, ''))
    const file = join(import.meta.dirname, `.docs-example-${process.pid}-${index}.ts`)
    writeFileSync(file, code.replaceAll("from '@ws/node-tcp'", "from '../src/index.ts'"))
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', file], {
        encoding: 'utf8',
        timeout: 20_000,
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
