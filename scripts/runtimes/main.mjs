// Runs the tests of the packages in MULTI_RUNTIME (conformance/src/workspace.ts) in one runtime
// other than Node: `node --import tsx scripts/runtimes/main.mjs deno|bun|chromium [folder...]`.
// It prints each package's uvu output, then one last line `RUNTIME-RESULT {json}` that
// scripts/check.mjs reads: whether the runtime was found, and per package the passed, failed and
// skipped counts.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import { MULTI_RUNTIME, workspaceRoot as root } from '../../conformance/src/workspace.ts'
import { countUvu } from './count.mjs'
import { fileExclusionsFor } from './exclusions.mjs'
import { testFiles } from './list.mjs'

const TIMEOUT_MS = 15 * 60 * 1000
const runtime = process.argv[2]
const binaries = {
  deno: join(root, 'node_modules', '.bin', 'deno'),
  bun: join(root, 'node_modules', '@oven', 'bun-linux-x64', 'bin', 'bun'),
  chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
}
const binary = binaries[runtime]
if (!binary) {
  console.error(`usage: main.mjs ${Object.keys(binaries).join('|')}`)
  process.exit(2)
}

const leftOut = fileExclusionsFor(runtime)
// Optional package folder names after the runtime narrow the run (for local use).
const only = process.argv.slice(3)
const packages = MULTI_RUNTIME.filter((folder) => only.length === 0 || only.includes(folder))
  .map((folder) => join(root, 'packages', folder))
  .filter((dir) => testFiles(dir).length > 0)
  .map((dir) => {
    const all = testFiles(dir)
    const out = leftOut.filter((entry) => entry.file.startsWith(`${relative(root, dir)}/`))
    return {
      dir,
      folder: relative(root, dir),
      name: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name,
      files: all.filter((file) => !out.some((entry) => entry.file === relative(root, file))),
      // Entries for files that do not exist are stale: reported as a problem.
      stale: out.filter((entry) => !all.some((file) => entry.file === relative(root, file))),
      out,
    }
  })

function report(result) {
  console.log(`RUNTIME-RESULT ${JSON.stringify({ runtime, ...result })}`)
}

if (!existsSync(binary)) {
  const how = runtime === 'chromium' ? "install Debian's chromium package" : 'run pnpm install'
  report({
    available: false,
    reason: `${binary} not found (${how})`,
    packages: packages.map((p) => ({ folder: p.folder, name: p.name })),
  })
  process.exit(0)
}

/**
 * Deno's import map: `uvu` is the wrapper that skips this runtime's excluded tests, except for
 * the wrapper itself, which gets the real uvu.
 */
function denoImportMap(dir) {
  const here = pathToFileURL(join(root, 'scripts', 'runtimes', 'browser')).href
  const path = join(dir, 'import-map.json')
  const real = pathToFileURL(realpathSync(join(root, 'node_modules', 'uvu', 'dist', 'index.mjs'))).href
  const map = { imports: { uvu: `${here}/uvu.mjs` }, scopes: { [`${here}/`]: { uvu: real } } }
  writeFileSync(path, JSON.stringify(map))
  return path
}

/** Runs a package under Deno or Bun: the same uvu test files, unchanged. */
function runCommand(pkg) {
  const entry = join(root, 'scripts', 'runtimes', 'uvu-main.mjs')
  const args =
    runtime === 'deno'
      ? ['run', '-A', `--import-map=${denoImportMap(scratch)}`, entry, ...pkg.files]
      : ['--preload', join(root, 'scripts', 'runtimes', 'bun-preload.mjs'), entry, ...pkg.files]
  const result = spawnSync(binary, args, {
    cwd: pkg.dir,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    maxBuffer: 256 * 1024 * 1024,
  })
  const note = result.error ? `\ncould not run ${runtime}: ${result.error.message}\n` : ''
  return {
    status: result.error ? 1 : (result.status ?? 1),
    output: `${result.stdout}\n${result.stderr}${note}`,
  }
}

const results = []
let browser = null
const scratch = mkdtempSync(join(tmpdir(), `ws-${runtime}-`))
try {
  for (const pkg of packages) {
    console.log(`== ${runtime}: ${pkg.name} (${pkg.folder}/test)`)
    for (const entry of pkg.out) console.log(`not run in ${runtime}: ${entry.file}: ${entry.reason}`)
    let run
    try {
      if (runtime === 'chromium') {
        const { nodeOnlyImports, openChromium, runInChromium } = await import('./chromium.mjs')
        const runnable = []
        for (const file of pkg.files) {
          const needs = await nodeOnlyImports(root, file)
          if (needs.length === 0) runnable.push(file)
          else {
            const names =
              needs.length > 4
                ? `${needs.slice(0, 4).join(', ')} and ${needs.length - 4} more`
                : needs.join(', ')
            console.log(`not run in chromium: ${relative(root, file)}: it needs Node's ${names}`)
          }
        }
        browser ??= await openChromium(binary)
        run = await runInChromium(browser, root, runnable)
      } else {
        run = runCommand(pkg)
      }
    } catch (error) {
      // A bundle that does not build, or a browser that fails: this package did not report.
      run = { status: 1, output: `the ${runtime} harness failed: ${error.stack ?? error}` }
    }
    process.stdout.write(`${run.output}\n`)
    const count = countUvu(run.output, run.status)
    const stale = pkg.stale.map((entry) => `exclusions.mjs names ${entry.file}, which does not exist`)
    const problem = [count.problem, ...stale].filter(Boolean).join('; ') || null
    results.push({ folder: pkg.folder, name: pkg.name, ...count, problem })
  }
} finally {
  await browser?.close()
  rmSync(scratch, { recursive: true, force: true })
}
report({ available: true, packages: results })
