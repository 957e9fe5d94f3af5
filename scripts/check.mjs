#!/usr/bin/env node
// Runs every check the project has, in order: format, lint, build, type check, then each
// workspace package's uvu tests under c8 coverage with that package's thresholds (.c8rc.json).
// Every step runs even when an earlier one failed, so one run shows everything that is wrong.
// Then the tests of the runtime-neutral packages (MULTI_RUNTIME in conformance/src/workspace.ts)
// run again in Deno, Bun and headless Chromium (scripts/runtimes). The summary ends with one line
// per runtime, `<runtime>: N passed, M failed`, then `N passed, M failed` counting every test in
// every runtime; the exit code is non-zero when any step, test or coverage threshold failed. A
// runtime that is missing is reported and its tests counted as skipped; under CI=true it fails.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { countUvu } from './runtimes/count.mjs'

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
/** Node's test count per package folder (workspace-relative), for runtimes that are missing. */
const nodeTotals = new Map()
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
  // A runner that crashed before it could report (a syntax error, a failed import) counts as one
  // failed test.
  const { passed: ok, failed: bad, skipped: skip, total, problem } = countUvu(tests.output, tests.status)
  if (problem) failures.push(`${name}: ${problem}`)
  nodeTotals.set(relative(root, folder), total)
  passed += ok
  skipped += skip
  failed += bad
  const coverage = run(bin('c8'), ['check-coverage'], folder)
  if (coverage !== 0)
    failures.push(`${name}: coverage below its threshold (${relative(root, folder)}/.c8rc.json)`)
  rows.push(
    `${name.padEnd(20)} ${String(ok).padStart(5)} passed ${String(bad).padStart(3)} failed  coverage ${coverage === 0 ? 'ok' : 'BELOW THRESHOLD'}`,
  )
}
const perRuntime = [`node: ${passed} passed, ${failed} failed`]

// The runtime-neutral packages' tests again in Deno, Bun and Chromium (scripts/runtimes/main.mjs).
for (const runtime of ['deno', 'bun', 'chromium']) {
  console.log(`== tests in ${runtime}: the runtime-neutral packages`)
  const harness = runCaptured(
    'node',
    ['--import', 'tsx', join(root, 'scripts', 'runtimes', 'main.mjs'), runtime],
    root,
  )
  const line = harness.output.split('\n').findLast((text) => text.startsWith('RUNTIME-RESULT '))
  const result = line ? JSON.parse(line.slice('RUNTIME-RESULT '.length)) : null
  let ok = 0
  let bad = 0
  let skip = 0
  if (!result) {
    bad = 1
    failures.push(`${runtime}: the runtime harness crashed before it reported`)
  } else if (!result.available) {
    skip = result.packages.reduce((sum, p) => sum + (nodeTotals.get(p.folder) ?? 0), 0)
    console.log(`${runtime} is not available: ${result.reason}; its ${skip} tests are counted as skipped`)
    if (process.env.CI === 'true') failures.push(`${runtime}: not available under CI (${result.reason})`)
  } else {
    for (const p of result.packages) {
      ok += p.passed
      bad += p.failed
      skip += p.skipped
      if (p.problem) failures.push(`${p.name} in ${runtime}: ${p.problem}`)
      rows.push(
        `${`${p.name} [${runtime}]`.padEnd(20)} ${String(p.passed).padStart(5)} passed ${String(p.failed).padStart(3)} failed${p.skipped > 0 ? ` ${p.skipped} skipped` : ''}`,
      )
    }
  }
  passed += ok
  failed += bad
  skipped += skip
  perRuntime.push(`${runtime}: ${ok} passed, ${bad} failed`)
}
if (failed > 0) failures.push('tests')

console.log('\n== summary')
for (const row of rows) console.log(row)
for (const failure of failures) console.log(`FAILED: ${failure}`)
for (const line of perRuntime) console.log(line)
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
process.exitCode = failures.length > 0 ? 1 : 0
