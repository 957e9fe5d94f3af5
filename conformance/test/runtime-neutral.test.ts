import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  isNodeModule,
  loadInBareContext,
  readCompilerOptions,
  scanFiles,
  scanSource,
  typeCheck,
} from '../src/runtime-neutral.ts'
import { listPackages, listSourceFiles, NODE_ONLY, RUNTIME_NEUTRAL, workspaceRoot } from '../src/workspace.ts'

const packagesDir = join(workspaceRoot, 'packages')

// First, the checks themselves: each must catch what it is there to catch.
const scanner = suite('the source scanner')

scanner('finds node: imports, bare built-in imports, re-exports, dynamic and type imports', () => {
  const text = [
    "import { readFileSync } from 'node:fs'",
    "import net from 'net'",
    "export { promises } from 'fs/promises'",
    "const m = await import('node:crypto')",
    "type T = import('node:stream').Readable",
    "import { ok } from './ok.ts'",
  ].join('\n')
  const findings = scanSource('x.ts', text)
  assert.equal(
    findings.map((f) => `${f.line}: ${f.what}`),
    [
      "1: imports the Node module 'node:fs'",
      "2: imports the Node module 'net'",
      "3: imports the Node module 'fs/promises'",
      "4: imports the Node module 'node:crypto'",
      "5: imports the Node module 'node:stream'",
    ],
  )
})

scanner('finds Node globals and timers used as values or types', () => {
  const text = [
    'const b = Buffer.from("x")',
    'if (process.env.X) {}',
    'setTimeout(() => {}, 1)',
    'const r = require("x")',
    'let g: typeof global',
    'function f(x: Buffer) { return x }',
  ].join('\n')
  const lines = scanSource('x.ts', text).map((f) => f.line)
  assert.equal(lines, [1, 2, 3, 4, 5, 6])
})

scanner('ignores the same names in comments, strings and property names', () => {
  const text = [
    '// Buffer and process are fine in a comment',
    "const s = 'Buffer process setTimeout'",
    'const o = { process: 1, Buffer: 2, get module() { return 3 } }',
    'o.process = o.Buffer',
    'interface I { require: number; setTimeout(): void }',
    'class C { exports = 1; global() {} }',
    'enum E { process }',
    'type Q = Namespace.Buffer',
  ].join('\n')
  assert.equal(scanSource('x.ts', text), [])
})

scanner('tells Node built-ins from other module names', () => {
  for (const name of [
    'node:fs',
    'fs',
    'fs/promises',
    'net',
    'tls',
    'crypto',
    'node:test',
    'worker_threads',
  ]) {
    assert.ok(isNodeModule(name), name)
  }
  for (const name of ['./fs.ts', '@ws/crypto', 'uvu', 'typescript', 'nodefs', '']) {
    assert.not.ok(isNodeModule(name), name)
  }
})

scanner.run()

const compiler = suite('compiling without Node types')

compiler('a canary using Buffer, process and setTimeout fails under a runtime-neutral tsconfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-neutral-'))
  try {
    const canary = join(dir, 'canary.ts')
    writeFileSync(canary, "export const x = Buffer.from('a')\nprocess.exit(0)\nsetTimeout(() => {}, 1)\n")
    const { errors } = typeCheck(join(packagesDir, 'crypto', 'tsconfig.json'), [canary])
    for (const name of ['Buffer', 'process', 'setTimeout']) {
      assert.ok(
        errors.some((e) => e.includes(`Cannot find name '${name}'`)),
        `no error for ${name}: ${errors}`,
      )
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

compiler('an unreadable tsconfig is a clear error', () => {
  assert.throws(() => readCompilerOptions(join(workspaceRoot, 'no-such-dir', 'tsconfig.json')), /no-such-dir/)
})

compiler.run()

// Then the rules, applied to the real packages.
const rules = suite('runtime-neutral packages')

rules('every package is classified as runtime-neutral or Node-only', () => {
  const classified = new Set<string>([...RUNTIME_NEUTRAL, ...NODE_ONLY])
  for (const { folder } of listPackages()) {
    assert.ok(classified.has(folder), `packages/${folder} is in neither list in conformance/src/workspace.ts`)
  }
  for (const folder of RUNTIME_NEUTRAL) {
    assert.ok(existsSync(join(packagesDir, folder, 'package.json')), `packages/${folder} is missing`)
  }
})

for (const folder of RUNTIME_NEUTRAL) {
  rules(`${folder}: no Node import or Node global anywhere in src/`, () => {
    const files = listSourceFiles(join(packagesDir, folder, 'src'))
    assert.ok(files.length > 0)
    const findings = scanFiles(files).map((f) => `${f.file}:${f.line} ${f.what}`)
    assert.equal(findings, [])
  })

  rules(`${folder}: src/ compiles with no ambient types and no DOM library`, () => {
    const { options, errors } = typeCheck(join(packagesDir, folder, 'tsconfig.json'))
    assert.equal(options.types, [], 'tsconfig.json must set "types": []')
    const libs = (options.lib ?? []).map((lib) => lib.toLowerCase())
    assert.ok(libs.length > 0, 'tsconfig.json must name its libs')
    assert.ok(
      libs.every((lib) => !lib.includes('dom') && !lib.includes('webworker')),
      `libs: ${libs.join(', ')}`,
    )
    assert.equal(errors, [])
  })

  rules(`${folder}: runtime dependencies are only other runtime-neutral workspace packages`, () => {
    const manifest = listPackages().find((p) => p.folder === folder)?.manifest
    const allowed = new Set<string>(RUNTIME_NEUTRAL.map((name) => `@ws/${name}`))
    for (const name of Object.keys(manifest?.dependencies ?? {})) {
      assert.ok(allowed.has(name), `${folder} depends on ${name}`)
    }
  })

  rules(`${folder}: the CommonJS build loads and runs in a context without Node globals`, () => {
    assert.ok(
      existsSync(join(packagesDir, folder, 'dist', 'index.cjs')),
      `packages/${folder}/dist is missing: run pnpm build`,
    )
    const exports = loadInBareContext(packagesDir, folder)
    assert.ok(Object.keys(exports).length > 0)
  })
}

rules('crypto works end to end in the bare context: the RFC 6455 accept value', () => {
  const crypto = loadInBareContext(packagesDir, 'crypto') as {
    sha1(data: Uint8Array): Uint8Array
    base64Encode(data: Uint8Array): string
    base64Decode(text: string): Uint8Array
  }
  const input = new TextEncoder().encode('dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
  assert.is(crypto.base64Encode(crypto.sha1(input)), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
  assert.is(crypto.base64Decode('dGhlIHNhbXBsZSBub25jZQ==').length, 16)
})

rules('proto works end to end in the bare context, given only web-standard globals', () => {
  const proto = loadInBareContext(packagesDir, 'proto', {
    TextEncoder,
    TextDecoder,
    URL,
    crypto: { getRandomValues: (array: Uint8Array) => globalThis.crypto.getRandomValues(array) },
  }) as typeof import('@ws/proto')
  // With permessage-deflate, so @ws/deflate runs in the bare context too.
  const deflate = () => [new proto.PerMessageDeflate({ threshold: 0 })]
  const client = new proto.ClientHandshake({ url: 'ws://localhost/bare', extensions: deflate() })
  const server = new proto.ServerHandshake({ extensions: deflate() })
  const request = server.receive(client.request)
  assert.is(request.kind, 'request')
  const { response, connection } = server.accept()
  const opened = client.receive(response)
  if (opened.kind !== 'open') throw new Error('handshake failed in the bare context')
  assert.is(opened.connection.extensions[0]?.name, 'permessage-deflate')
  opened.connection.sendText('héllo')
  const wire = opened.connection.takeOutgoing()
  assert.is((wire[0]?.[0] ?? 0) & 0x40, 0x40, 'the frame is compressed (RSV1)')
  for (const chunk of wire) connection.receive(chunk)
  const [event] = connection.takeEvents()
  assert.is(event?.type, 'text')
  assert.is((event as { data: string }).data, 'héllo')
})

rules('the bare context really lacks Node: a build that touches Buffer fails there', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-bare-'))
  /** A package as the loader sees one: dist files and a manifest whose exports map names them. */
  const write = (name: string, files: Record<string, string>, subpaths: string[] = []): void => {
    const dist = join(dir, name, 'dist')
    mkdirSync(dist, { recursive: true })
    for (const [file, body] of Object.entries(files)) writeFileSync(join(dist, file), body)
    const exportsMap: Record<string, { require: { default: string } }> = {
      '.': { require: { default: './dist/index.cjs' } },
    }
    for (const subpath of subpaths)
      exportsMap[`./${subpath}`] = { require: { default: `./dist/${subpath}.cjs` } }
    writeFileSync(join(dir, name, 'package.json'), JSON.stringify({ exports: exportsMap }))
  }
  try {
    for (const [name, body] of [
      ['uses-buffer', 'exports.x = Buffer.from("a")'],
      ['uses-require', 'exports.x = require("node:fs")'],
    ] as const) {
      write(name, { 'index.cjs': body })
      assert.throws(() => loadInBareContext(dir, name), /Buffer is not defined|may not/)
    }
    write('uses-workspace', { 'index.cjs': 'exports.x = require("@ws/dep").y + require("@ws/dep/extra").z' })
    // The dependency's two entries share one chunk, loaded once: both see the same object.
    write(
      'dep',
      {
        'chunk-AB12.cjs': 'exports.shared = { count: 0 }',
        'index.cjs': 'const c = require("./chunk-AB12.cjs"); c.shared.count++; exports.y = 40',
        'extra.cjs': 'const c = require("./chunk-AB12.cjs"); c.shared.count++; exports.z = c.shared.count',
      },
      ['extra'],
    )
    assert.is(loadInBareContext(dir, 'uses-workspace').x, 42)
    write('uses-missing-subpath', { 'index.cjs': 'exports.x = require("@ws/dep/missing")' })
    assert.throws(() => loadInBareContext(dir, 'uses-missing-subpath'), /no CommonJS entry for '.\/missing'/)
    write('uses-other-file', { 'index.cjs': 'exports.x = require("./other.cjs")', 'other.cjs': '' })
    assert.throws(() => loadInBareContext(dir, 'uses-other-file'), /may not/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

rules.run()
