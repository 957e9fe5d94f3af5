// The helpers behind the workspace checks must report failures, not hide them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { packPackage, runCommand, runOrThrow } from '../src/packaging.ts'
import { listPackages, listSourceFiles } from '../src/workspace.ts'

test('runCommand reports a missing program instead of throwing', () => {
  const result = runCommand('no-such-program-for-ws-tests', [], tmpdir())
  assert.is(result.status, -1)
  assert.match(result.stderr, /ENOENT/)
})

test('runOrThrow throws with the exit status and the output of a failed command', () => {
  assert.throws(
    () => runOrThrow(process.execPath, ['-e', 'console.log("out"); process.exit(3)'], tmpdir()),
    (error: unknown) => /failed \(3\)/.test(String(error)) && /out/.test(String(error)),
  )
  assert.is(runOrThrow(process.execPath, ['-e', 'console.log("fine")'], tmpdir()).trim(), 'fine')
})

test('packPackage fails clearly for a folder that is not a package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-pack-'))
  try {
    assert.throws(() => packPackage(dir, join(dir, 'out')), /pnpm pack .* failed/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('listPackages and listSourceFiles see only package folders and .ts files', () => {
  const root = mkdtempSync(join(tmpdir(), 'ws-list-'))
  try {
    mkdirSync(join(root, 'packages', 'real', 'src', 'deep'), { recursive: true })
    mkdirSync(join(root, 'packages', 'no-manifest'), { recursive: true })
    writeFileSync(join(root, 'packages', 'real', 'package.json'), '{"name":"@ws/real","version":"1.0.0"}')
    writeFileSync(join(root, 'packages', 'real', 'src', 'a.ts'), '')
    writeFileSync(join(root, 'packages', 'real', 'src', 'deep', 'b.ts'), '')
    writeFileSync(join(root, 'packages', 'real', 'src', 'notes.md'), '')
    const packages = listPackages(root)
    assert.equal(
      packages.map((p) => p.manifest.name),
      ['@ws/real'],
    )
    assert.equal(
      listSourceFiles(join(root, 'packages', 'real', 'src')).map((f) => f.slice(root.length)),
      ['/packages/real/src/a.ts', '/packages/real/src/deep/b.ts'],
    )
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
})

test.run()
