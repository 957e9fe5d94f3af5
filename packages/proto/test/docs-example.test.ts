/** docs/api.md must stay true: its in-memory example runs and prints what it says it prints. */
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const api = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'api.md'), 'utf8')

test('the @ws/proto example in docs/api.md runs and prints its "prints:" lines', () => {
  const section = api.slice(api.indexOf('### Example: a client and a server in memory'))
  const start = section.indexOf('```ts\n') + 6
  const code = section.slice(start, section.indexOf('\n```', start))
  const expected = code
    .slice(code.indexOf('// prints:\n') + '// prints:\n'.length)
    .split('\n')
    .map((line) => line.replace(/^\/\/ /, ''))
  assert.ok(expected.length >= 5)
  const file = join(import.meta.dirname, `.docs-example-${process.pid}.ts`)
  writeFileSync(file, code.replace("from '@ws/proto'", "from '../src/index.ts'"))
  try {
    const run = spawnSync(process.execPath, ['--import', 'tsx', file], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    })
    assert.is(run.status, 0, run.stderr)
    assert.equal(run.stdout.trimEnd().split('\n'), expected)
  } finally {
    rmSync(file, { force: true })
  }
})

test.run()
