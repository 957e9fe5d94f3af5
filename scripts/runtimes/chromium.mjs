// Runs a package's uvu tests in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core; no browser download). Each package's test files are bundled by esbuild into one
// page. Node-only truth the tests use (node:zlib, node:crypto) is answered by Node: the same
// bundle is first run in Node with the real modules, recording each call's answer under a hash of
// its inputs; the browser bundle replays them, and asks the harness's Node live (a synchronous
// request to the page's 127.0.0.1 server) for one-shot calls it has no recording for (inputs from
// crypto.getRandomValues differ between runs). Buffer is a small shim on atob/btoa and
// TextEncoder; node:vm's runInNewContext is an iframe. See browser/ and exclusions.mjs.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { isBuiltin } from 'node:module'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import zlib from 'node:zlib'
import { build } from 'esbuild'
import { chromium } from 'playwright-core'

const here = import.meta.dirname ?? new URL('.', import.meta.url).pathname
const shim = (name) => join(here, 'browser', name)
const TIMEOUT_MS = 10 * 60 * 1000

/** The esbuild plugin that swaps Node modules and uvu for the shims of one mode. */
function shims(mode) {
  return {
    name: 'ws-runtime-shims',
    setup(b) {
      const to = (path) => () => ({ path })
      // The recording store itself imports the real modules.
      const unlessStore = (path) => (args) =>
        args.importer === shim('record-store.mjs') ? undefined : { path }
      b.onResolve({ filter: /^node:zlib$/ }, unlessStore(shim('node-zlib.mjs')))
      b.onResolve({ filter: /^node:crypto$/ }, unlessStore(shim('node-crypto.mjs')))
      b.onResolve({ filter: /^ws-oracle-store$/ }, to(shim(`${mode}-store.mjs`)))
      if (mode === 'record') return
      b.onResolve({ filter: /^node:vm$/ }, to(shim('node-vm.mjs')))
      // Every import of uvu gets the wrapper, except the wrapper's own.
      b.onResolve({ filter: /^uvu$/ }, (args) =>
        args.importer === shim('uvu.mjs') ? undefined : { path: shim('uvu.mjs') },
      )
    },
  }
}

function entrySource(mode, root, files) {
  const loaders = files.map(
    (file) => `  [${JSON.stringify(relative(root, file))}, () => import(${JSON.stringify(file)})],`,
  )
  return [
    mode === 'record' ? "import * as store from 'ws-oracle-store'" : '',
    `import { runFiles } from ${JSON.stringify(join(here, 'run-files.mjs'))}`,
    "globalThis.WS_RUNTIME = 'chromium'",
    'try {',
    `  await runFiles([\n${loaders.join('\n')}\n])`,
    mode === 'record' ? '  store.save(process.env.WS_ORACLE_OUT)' : '',
    '} finally {',
    '  globalThis.WS_DONE = true',
    '}',
  ].join('\n')
}

async function bundle(mode, root, files, dir) {
  const entry = join(dir, `${mode}-entry.mjs`)
  writeFileSync(entry, entrySource(mode, root, files))
  const outfile = join(dir, `${mode}.mjs`)
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: mode === 'record' ? 'node' : 'browser',
    target: 'es2022',
    inject: mode === 'record' ? [] : [shim('buffer.mjs')],
    plugins: [shims(mode)],
    logLevel: 'error',
  })
  return outfile
}

/** Answers one Node call for the page (the replay store's live fallback) with the real module. */
function answerLive(request, response) {
  const chunks = []
  request.on('data', (chunk) => chunks.push(chunk))
  request.on('end', () => {
    const call = JSON.parse(new URL(request.url, 'http://x').searchParams.get('call') ?? 'null')
    const data = Buffer.concat(chunks)
    let entry
    try {
      let value
      if (call?.module === 'crypto' && call.name === 'hash') {
        value = createHash(call.algorithm).update(data).digest(call.encoding)
      } else if (
        call?.module === 'zlib' &&
        (call.name === 'deflateRawSync' || call.name === 'inflateRawSync')
      ) {
        value = zlib[call.name](data, call.options ?? undefined)
      } else {
        return response.writeHead(400).end(`no such call: ${JSON.stringify(call)}`)
      }
      entry = typeof value === 'string' ? { s: value } : { b: value.toString('base64') }
    } catch (error) {
      entry = { e: String(error.message), code: error.code }
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(entry))
  })
}

/** The Node built-ins that have a stand-in in the browser (browser/node-*.mjs). */
const SHIMMED = new Set(['node:zlib', 'node:crypto', 'node:vm'])

/**
 * The Node built-ins a test file reaches, through any import, that have no stand-in in the
 * browser (node:net, node:events, ...): a file that needs one cannot run in a page.
 */
export async function nodeOnlyImports(root, file) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [file],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
  })
  const found = new Set()
  for (const input of Object.values(result.metafile.inputs)) {
    for (const dependency of input.imports) {
      if (!dependency.external || !isBuiltin(dependency.path)) continue
      const name = dependency.path.startsWith('node:') ? dependency.path : `node:${dependency.path}`
      if (!SHIMMED.has(name)) found.add(name)
    }
  }
  return [...found].sort()
}

/** Serves the page, the oracle's answers and the bundle on 127.0.0.1 (an ephemeral port). */
function serve(dir) {
  const files = {
    '/': [
      'text/html',
      '<!doctype html><meta charset="utf-8"><body><script src="/oracle.js"></script><script type="module" src="/replay.mjs"></script>',
    ],
    '/favicon.ico': ['image/x-icon', ''],
    '/oracle.js': [
      'text/javascript',
      () => `globalThis.__NODE_ORACLE__ = ${readFileSync(join(dir, 'oracle.json'), 'utf8')}`,
    ],
    '/replay.mjs': ['text/javascript', () => readFileSync(join(dir, 'replay.mjs'))],
  }
  const server = createServer((request, response) => {
    if (request.method === 'POST') return answerLive(request, response)
    const file = files[new URL(request.url, 'http://x').pathname]
    if (!file) return response.writeHead(404).end()
    response
      .writeHead(200, { 'content-type': file[0] })
      .end(typeof file[1] === 'function' ? file[1]() : file[1])
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

/** Opens a browser for several packages; close() when done. */
export async function openChromium(executablePath) {
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] })
}

/**
 * Runs one package's test files in the browser. Returns { status, output } where output is what
 * uvu printed (its summary included) plus any page error, as Node's run would print.
 */
export async function runInChromium(browser, root, files) {
  const dir = mkdtempSync(join(tmpdir(), 'ws-chromium-'))
  let output = ''
  try {
    const recorder = await bundle('record', root, files, dir)
    await bundle('replay', root, files, dir)
    const recording = spawnSync(process.execPath, [recorder], {
      cwd: root,
      env: { ...process.env, WS_ORACLE_OUT: join(dir, 'oracle.json'), NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: TIMEOUT_MS,
      maxBuffer: 256 * 1024 * 1024,
    })
    try {
      readFileSync(join(dir, 'oracle.json'))
    } catch {
      return {
        status: 1,
        output: `the Node recording run wrote no answers:\n${recording.stdout}\n${recording.stderr}`,
      }
    }
    const server = await serve(dir)
    const page = await browser.newPage()
    let errors = ''
    // uvu writes its pieces with console.log in a page: joined as they come, they read as in Node
    // (colours removed).
    const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g')
    page.on('console', (message) => {
      const text = message.text().replace(ansi, '')
      output += message.type() === 'log' ? text : `\n[console.${message.type()}] ${text}\n`
    })
    page.on('pageerror', (error) => {
      errors += `\npage error: ${error.stack ?? error.message}\n`
    })
    try {
      await page.goto(`http://127.0.0.1:${server.address().port}/`, { waitUntil: 'commit' })
      await page.waitForFunction(() => globalThis.WS_DONE === true, null, {
        timeout: TIMEOUT_MS,
        polling: 250,
      })
      return { status: errors ? 1 : 0, output: output + errors }
    } catch (error) {
      return { status: 1, output: `${output}${errors}\nthe page did not finish: ${error.message}\n` }
    } finally {
      await page.close()
      server.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
