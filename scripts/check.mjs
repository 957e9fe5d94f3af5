#!/usr/bin/env node
// Runs every check the project has, in order: format, lint, build, type check, then each
// workspace package's uvu tests under c8 coverage with that package's thresholds (.c8rc.json).
// Every step runs even when an earlier one failed, so one run shows everything that is wrong.
// The last line is `N passed, M failed`, counting every test in the workspace; the exit code is
// non-zero when any step, test or coverage threshold failed.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const uvu = join(root, 'node_modules', 'uvu', 'bin.js')

/** Runs a command with inherited output; returns its exit status. */
function run(command, args, cwd = root) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: process.env })
  if (result.error) {
    console.error(`could not run ${command}: ${result.error.message}`)
    return 1
  }
  return result.status ?? 1
}

/** Runs a command, echoing its output while also capturing it for parsing. */
function runCaptured(command, args, cwd) {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  })
  process.stdout.write(result.stdout ?? '')
  process.stderr.write(result.stderr ?? '')
  return { status: result.error ? 1 : (result.status ?? 1), output: `${result.stdout}\n${result.stderr}` }
}

function workspacePackages() {
  const folders = readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name))
  folders.push(join(root, 'conformance'))
  return folders.filter((folder) => existsSync(join(folder, 'package.json')))
}

const failures = []
function step(name, status) {
  console.log(`\n== ${name}: ${status === 0 ? 'ok' : 'FAILED'}\n`)
  if (status !== 0) failures.push(name)
}

console.log('== format check (biome format)')
step('format', run(bin('biome'), ['format', '.']))

console.log('== lint, warnings as errors (biome check without the formatter)')
step('lint', run(bin('biome'), ['check', '--formatter-enabled=false', '--error-on-warnings', '.']))

console.log('== build (tsup: ESM, CJS and .d.ts)')
step('build', run('pnpm', ['run', 'build']))

// The build comes first: packages that use another workspace package type-check against its
// published .d.ts, as their users will.
console.log('== type check, strict, every package (pnpm -r typecheck)')
step('typecheck', run('pnpm', ['-r', '--reporter=append-only', 'run', 'typecheck']))

let passed = 0
let failed = 0
let skipped = 0
const rows = []
for (const folder of workspacePackages()) {
  const name = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).name
  if (!existsSync(join(folder, 'test'))) {
    failures.push(`${name}: has no test folder`)
    continue
  }
  if (!existsSync(join(folder, '.c8rc.json'))) {
    failures.push(`${name}: has no .c8rc.json with coverage thresholds`)
    continue
  }
  console.log(`== tests: ${name} (${relative(root, folder)}/test)`)
  const tests = runCaptured(
    bin('c8'),
    ['--reporter=text', 'node', '--import', 'tsx', uvu, 'test', '\\.test\\.ts$'],
    folder,
  )
  const count = (label) => Number(tests.output.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm'))?.[1] ?? NaN)
  const total = count('Total')
  const ok = count('Passed')
  const skip = count('Skipped')
  let bad = total - ok - skip
  if (!Number.isFinite(total) || !Number.isFinite(ok)) {
    // The runner crashed before it could report (a syntax error, a failed import): count it.
    bad = 1
    failures.push(`${name}: the test runner did not report totals`)
  } else if (tests.status !== 0 && bad === 0) {
    failures.push(`${name}: the test process exited with ${tests.status}`)
  }
  passed += Number.isFinite(ok) ? ok : 0
  skipped += Number.isFinite(skip) ? skip : 0
  failed += bad
  const coverage = run(bin('c8'), ['check-coverage'], folder)
  if (coverage !== 0)
    failures.push(`${name}: coverage below its threshold (${relative(root, folder)}/.c8rc.json)`)
  rows.push(
    `${name.padEnd(20)} ${String(Number.isFinite(ok) ? ok : 0).padStart(5)} passed ${String(bad).padStart(3)} failed  coverage ${coverage === 0 ? 'ok' : 'BELOW THRESHOLD'}`,
  )
}
if (failed > 0) failures.push('tests')

console.log('\n== summary')
for (const row of rows) console.log(row)
for (const failure of failures) console.log(`FAILED: ${failure}`)
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
process.exitCode = failures.length > 0 ? 1 : 0
