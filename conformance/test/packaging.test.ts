// Every published package, packed with `pnpm pack`, installed from its tarball into a fresh
// project and used from ESM, from CommonJS and from TypeScript: the way its users get it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  installIntoFreshProject,
  packPackage,
  runCommand,
  runOrThrow,
  tarballFiles,
  tarballManifest,
} from '../src/packaging.ts'
import { listPackages, type PackageInfo, workspaceRoot } from '../src/workspace.ts'

/**
 * What each published package must do once installed. `body` uses the package as `m` and is valid
 * as JavaScript and as TypeScript; `typeProbe` is a deliberate type error that the package's
 * `.d.ts` must catch (so the types are proven real, not `any`).
 */
const SMOKE: Record<string, { body: string; prints: string; typeProbe: string }> = {
  '@ws/crypto': {
    body: [
      "const key = 'dGhlIHNhbXBsZSBub25jZQ=='",
      "const input = new TextEncoder().encode(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')",
      "console.log(m.base64Encode(m.sha1(input)) + ' ' + m.base64Decode(key).length)",
    ].join('\n'),
    prints: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo= 16',
    typeProbe: 'export const wrong: string = m.sha1(new Uint8Array(0))',
  },
  '@ws/proto': {
    body: [
      "const client = new m.ClientHandshake({ url: 'ws://localhost/smoke' })",
      'const server = new m.ServerHandshake()',
      'server.receive(client.request)',
      'const { response, connection } = server.accept()',
      'const opened = client.receive(response)',
      "if (opened.kind !== 'open') throw new Error('handshake failed')",
      "opened.connection.sendText('smoke')",
      'for (const chunk of opened.connection.takeOutgoing()) connection.receive(chunk)',
      'const [event] = connection.takeEvents()',
      "console.log(event.type + ' ' + (event.type === 'text' ? event.data : '') + ' ' + m.acceptKey('dGhlIHNhbXBsZSBub25jZQ=='))",
    ].join('\n'),
    prints: 'text smoke s3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    typeProbe: "export const wrong: number = new m.WebSocketConnection({ role: 'server' }).state",
  },
  '@ws/deflate': {
    body: [
      "const input = new TextEncoder().encode('Hello, Hello, Hello!')",
      'const deflater = new m.Deflater()',
      'deflater.write(input)',
      'const flushed = deflater.syncFlush()',
      'const output = new m.Inflater().push(flushed)',
      "console.log(new TextDecoder().decode(output[0]) + ' ' + flushed.length + ' ' + m.inflateRaw(m.deflateRaw(input)).length)",
    ].join('\n'),
    prints: 'Hello, Hello, Hello! 17 20',
    typeProbe: 'export const wrong: string = m.inflateRaw(new Uint8Array(0))',
  },
  '@ws/node-tcp': {
    body: [
      'const server = new m.WebSocketServer()',
      "server.on('connection', (c) => c.on('text', (e) => c.sendText(e.data.toUpperCase())))",
      'server',
      '  .listen(0)',
      "  .then(({ port }) => m.connect('ws://127.0.0.1:' + port + '/'))",
      '  .then((ws) => {',
      "    ws.on('text', (e) => {",
      "      console.log(e.data + ' ' + ws.extensions)",
      '      ws.close(1000)',
      '      ws.closed.then(() => server.close())',
      '    })',
      "    ws.sendText('smoke')",
      '  })',
    ].join('\n'),
    prints: 'SMOKE permessage-deflate; client_max_window_bits=13',
    typeProbe: "export const wrong: number = m.connect('ws://127.0.0.1/')",
  },
  '@ws/driver': {
    // A client and a server over the in-memory pair: the driver, the core and the handshake.
    body: [
      'const { client, server } = m.createMemoryPair()',
      'const acceptor = new m.Acceptor()',
      "acceptor.accept(server, (c) => c.on('text', (e) => c.sendText(e.data.toUpperCase())))",
      "m.connectWith('ws://memory.test/', {}, async () => client).then((ws) => {",
      "  ws.on('text', (e) => {",
      "    console.log(e.data + ' ' + ws.extensions)",
      '    ws.close(1000)',
      '  })',
      "  ws.sendText('smoke')",
      '})',
    ].join('\n'),
    prints: 'SMOKE permessage-deflate; client_max_window_bits=13',
    typeProbe: 'export const wrong: number = m.createMemoryPair()',
  },
  '@ws/web': {
    // No transport here: the classes, CloseEvent, WebSocketError, and a refused opener.
    body: [
      "const event = new m.CloseEvent('close', { code: 4000, reason: 'r', wasClean: true })",
      "const error = new m.WebSocketError('x', { closeCode: 4001, reason: 'y' })",
      "const refused = Object.assign(new Error('no'), { code: 'ECONNREFUSED' })",
      'const { WebSocket } = m.createWebSocketClasses({ open: () => Promise.reject(refused) })',
      "const ws = new WebSocket('ws://smoke.test/')",
      'ws.onclose = (c) =>',
      '  console.log(',
      "    [event.code, event.reason, event.wasClean, error.closeCode, error.reason, error.name, ws.readyState, c.code].join(' '),",
      '  )',
    ].join('\n'),
    prints: '4000 r true 4001 y WebSocketError 3 1006',
    typeProbe: "export const wrong: string = new m.CloseEvent('close').code",
  },
  '@ws/node': {
    body: [
      'const server = new m.WebSocketServer()',
      "server.on('connection', (c) => {",
      '  const ws = m.websocketFromConnection(c)',
      '  ws.onmessage = (e) => ws.send(String(e.data).toUpperCase())',
      '})',
      'server.listen(0).then(({ port }) => {',
      "  const ws = new m.WebSocket('ws://127.0.0.1:' + port + '/')",
      "  ws.onopen = () => ws.send('smoke')",
      '  ws.onmessage = (e) => {',
      "    console.log(e.data + ' ' + (ws instanceof m.WebSocket))",
      '    ws.close()',
      '  }',
      '  ws.onclose = () => server.close()',
      '})',
    ].join('\n'),
    prints: 'SMOKE true',
    typeProbe: "export const wrong: number = new m.WebSocket('ws://x/').url",
  },
  '@ws/node-h2': {
    body: [
      "const server = m.createH2Server({}, (c, r) => c.on('text', (e) => c.sendText(r.method + ' ' + e.data)))",
      'server',
      '  .listen({})',
      "  .then(({ port }) => m.connect('ws://127.0.0.1:' + port + '/', { requireHttp2: true }))",
      '  .then((ws) => {',
      "    ws.on('text', (e) => {",
      '      console.log(e.data)',
      '      ws.close(1000)',
      '      ws.closed.then(() => server.close())',
      '    })',
      "    ws.sendText('smoke')",
      '  })',
    ].join('\n'),
    prints: 'CONNECT smoke',
    typeProbe: "export const wrong: string = m.connect('ws://x/')",
  },
  '@ws/deno': {
    // Node has no Deno global: the exports load, and opening fails the WHATWG way (1006).
    body: [
      "const ws = new m.WebSocket('ws://127.0.0.1:1/')",
      "ws.onclose = (e) => console.log([typeof m.WebSocketStream, typeof m.openDenoTransport, e.code].join(' '))",
    ].join('\n'),
    prints: 'function function 1006',
    typeProbe: "export const wrong: number = new m.WebSocket('ws://x/').protocol",
  },
  '@ws/node-tls': {
    // No certificates here: the body checks the exports and that ws:// is refused before any I/O.
    body: [
      "const error = new m.ConnectError('network', 'SELF_SIGNED_CERT_IN_CHAIN', 'smoke')",
      "m.connect('ws://127.0.0.1:1/').then(",
      "  () => console.log('connected to ws:// (wrong)'),",
      '  (e) =>',
      '    console.log(',
      "      [typeof m.connect, typeof m.SecureWebSocketServer, e instanceof TypeError, error.kind, error.code].join(' '),",
      '    ),',
      ')',
    ].join('\n'),
    prints: 'function function true network SELF_SIGNED_CERT_IN_CHAIN',
    typeProbe: "export const wrong = m.connect('wss://127.0.0.1/', { insecure: 'yes' })",
  },
}

/** Whether a package is built against Node's types (its tsconfig lists them). */
function nodeTypes(dir: string): boolean {
  const config = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8')) as {
    compilerOptions?: { types?: string[] }
  }
  return config.compilerOptions?.types?.includes('node') === true
}

/**
 * Runs `body` in the test project as an ES module and as a CommonJS one, with each of `modules`
 * (binding name to specifier) imported or required first; both must print `prints`.
 */
function runBothWays(file: string, modules: Record<string, string>, body: string, prints: string): void {
  const bindings = Object.entries(modules)
  const esm = bindings.map(([binding, specifier]) => `import * as ${binding} from '${specifier}'\n`).join('')
  const cjs = bindings.map(([binding, specifier]) => `const ${binding} = require('${specifier}')\n`).join('')
  writeFileSync(join(project, `${file}.mjs`), `${esm}${body}\n`)
  writeFileSync(join(project, `${file}.cjs`), `${cjs}${body}\n`)
  assert.is(runOrThrow(process.execPath, [join(project, `${file}.mjs`)], project).trim(), prints)
  assert.is(runOrThrow(process.execPath, [join(project, `${file}.cjs`)], project).trim(), prints)
}

/** `@ws/proto/<sub>` gives ESM and CJS exactly the exports of src/<sub>.ts, which are `names`. */
async function assertSubpathExports(sub: string, names: string[]): Promise<void> {
  const source = (await import(join(workspaceRoot, 'packages', 'proto', 'src', `${sub}.ts`))) as object
  const expected = Object.keys(source).sort()
  assert.equal(expected, names)
  assert.equal(installedExports(`@ws/proto/${sub}`), { esm: expected, cjs: expected })
}

/** The export names of `specifier` as ESM and as CJS see them in the test project. */
function installedExports(specifier: string): { esm: unknown; cjs: unknown } {
  const esm = runOrThrow(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import * as m from '${specifier}'; console.log(JSON.stringify(Object.keys(m).sort()))`,
    ],
    project,
  )
  const cjs = runOrThrow(
    process.execPath,
    ['-e', `console.log(JSON.stringify(Object.keys(require('${specifier}')).sort()))`],
    project,
  )
  return { esm: JSON.parse(esm), cjs: JSON.parse(cjs) }
}

/**
 * Type-checks `imports` and `body` as .mts and .cts under strict NodeNext, with the deliberate
 * misuse `probe` marked as expected; asserts that tsc read the declaration files `dts` (ESM,
 * CJS), then that the probe alone fails: it really is a type error.
 */
function checkTypes(check: {
  dir: string
  imports: string
  body: string
  probe: string
  nodeTypes: boolean
  dts: [esm: string, cjs: string]
}): void {
  mkdirSync(check.dir, { recursive: true })
  const source = `${check.imports}\n${check.body}\n// @ts-expect-error the package's types must reject this\n${check.probe}\n`
  writeFileSync(join(check.dir, 'esm.mts'), source)
  writeFileSync(join(check.dir, 'cjs.cts'), source)
  writeFileSync(
    join(check.dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        lib: ['ES2022', 'DOM'],
        // Node adapters' users have @types/node; the runtime-neutral packages must not need it.
        ...(check.nodeTypes
          ? { types: ['node'], typeRoots: [join(workspaceRoot, 'node_modules', '@types')] }
          : { types: [] }),
        noEmit: true,
        skipLibCheck: false,
      },
      files: ['esm.mts', 'cjs.cts'],
    }),
  )
  const tsc = join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc')
  const result = runCommand(process.execPath, [tsc, '-p', 'tsconfig.json', '--listFiles'], check.dir)
  assert.is(result.status, 0, `tsc failed:\n${result.stdout}${result.stderr}`)
  assert.ok(result.stdout.includes(check.dts[0]), `ESM types not used: ${check.dts[0]}`)
  assert.ok(result.stdout.includes(check.dts[1]), `CJS types not used: ${check.dts[1]}`)
  writeFileSync(join(check.dir, 'esm.mts'), `${check.imports}\n${check.probe}\n`)
  const probe = runCommand(process.execPath, [tsc, '-p', 'tsconfig.json'], check.dir)
  assert.is.not(probe.status, 0)
  assert.match(probe.stdout, /esm\.mts.*error TS/)
}

const published = listPackages().filter((p) => p.manifest.private !== true)
const work = mkdtempSync(join(tmpdir(), 'ws-packaging-'))
const project = join(work, 'project')
const tarballs = new Map<string, string>()

const packaging = suite('packaging')

packaging.before(() => {
  for (const pkg of published) tarballs.set(pkg.manifest.name, packPackage(pkg.dir, join(work, 'tarballs')))
  installIntoFreshProject(project, [...tarballs.values()])
})

packaging.after(() => {
  rmSync(work, { recursive: true, force: true })
})

packaging('there is something to publish, and every published package has a smoke test here', () => {
  assert.ok(published.length > 0)
  for (const pkg of published) assert.ok(SMOKE[pkg.manifest.name], `no SMOKE entry for ${pkg.manifest.name}`)
})

const tarballOf = (pkg: PackageInfo): string => tarballs.get(pkg.manifest.name) as string

for (const pkg of published) {
  const name = pkg.manifest.name
  const smoke = SMOKE[name]

  packaging(`${name}: the tarball holds the ESM, CJS and both .d.ts builds, and no sources or tests`, () => {
    const files = tarballFiles(tarballOf(pkg))
    for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']) {
      assert.ok(files.includes(file), `${file} missing from ${files.join(', ')}`)
    }
    for (const file of ['package.json', 'README.md', 'LICENSE']) assert.ok(files.includes(file), file)
    const stray = files.filter(
      (f) => !f.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(f),
    )
    assert.equal(stray, [])
    assert.ok(
      files.every((f) => !f.endsWith('.map')),
      'source maps point at src/, which is not shipped',
    )
  })

  packaging(
    `${name}: the published manifest has the exports map, engines, sideEffects and no third-party dependencies`,
    () => {
      const manifest = tarballManifest(tarballOf(pkg)) as {
        type?: string
        engines?: { node?: string }
        sideEffects?: boolean
        exports?: Record<string, { import?: Record<string, string>; require?: Record<string, string> }>
        dependencies?: Record<string, string>
      }
      assert.is(manifest.type, 'module')
      assert.is(manifest.engines?.node, '>=20')
      assert.is(manifest.sideEffects, false)
      assert.equal(manifest.exports?.['.']?.import, {
        types: './dist/index.d.ts',
        default: './dist/index.js',
      })
      assert.equal(manifest.exports?.['.']?.require, {
        types: './dist/index.d.cts',
        default: './dist/index.cjs',
      })
      for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
        assert.ok(dependency.startsWith('@ws/'), `runtime dependency on ${dependency}`)
        assert.not.ok(range.startsWith('workspace:'), `${dependency}@${range} was not replaced on pack`)
      }
    },
  )

  packaging(`${name}: ESM import and CJS require give the same exports as the source`, async () => {
    const source = (await import(join(pkg.dir, 'src', 'index.ts'))) as Record<string, unknown>
    const expected = Object.keys(source).sort()
    assert.ok(expected.length > 0)
    assert.equal(installedExports(name), { esm: expected, cjs: expected })
  })

  packaging(`${name}: works when imported from ESM and required from CJS`, () => {
    if (!smoke) return assert.unreachable(`no SMOKE entry for ${name}`)
    runBothWays(`${pkg.folder}-smoke`, { m: name }, smoke.body, smoke.prints)
  })

  packaging(`${name}: its types resolve from .mts and .cts under strict NodeNext and catch misuse`, () => {
    if (!smoke) return assert.unreachable(`no SMOKE entry for ${name}`)
    const installed = join(project, 'node_modules', ...name.split('/'), 'dist')
    checkTypes({
      dir: join(project, `${pkg.folder}-types`),
      imports: `import * as m from '${name}'`,
      body: smoke.body,
      probe: smoke.typeProbe,
      nodeTypes: nodeTypes(pkg.dir),
      dts: [join(installed, 'index.d.ts'), join(installed, 'index.d.cts')],
    })
  })
}

// A subpath export: `@ws/proto/h2`. It must load from ESM and CJS with its types, and share one
// copy of the core with the main entry (the build splits shared code into chunks both load), so
// that an error from either entry is an instance of the same HandshakeError class.
const H2_SMOKE = [
  "const client = new h2.H2ClientHandshake({ url: 'ws://localhost/smoke' })",
  'const server = new h2.H2ServerHandshake()',
  'const request = server.receive(client.headers)',
  "if (request.kind !== 'request') throw new Error(request.error.message)",
  'const accepted = server.accept()',
  'const opened = client.receive(accepted.headers)',
  "if (opened.kind !== 'open') throw new Error(opened.error.message)",
  "opened.connection.sendText('h2 smoke')",
  'for (const chunk of opened.connection.takeOutgoing()) accepted.connection.receive(chunk)',
  'const [event] = accepted.connection.takeEvents()',
  "const refused = new h2.H2ClientHandshake({ url: 'ws://localhost/' }).receive([[':status', '404']])",
  "if (refused.kind !== 'failed') throw new Error('a 404 was accepted')",
  'const shared = refused.error instanceof m.HandshakeError && opened.connection instanceof m.WebSocketConnection',
  "console.log(event.type + ' ' + (event.type === 'text' ? event.data : '') + ' ' + refused.error.code + ' ' + shared)",
].join('\n')

packaging(
  '@ws/proto/h2: loads from ESM and CJS with the same exports as its source, one copy of the core',
  async () => {
    const prints = 'text h2 smoke WS_ERR_UNEXPECTED_STATUS true'
    runBothWays('proto-h2-smoke', { m: '@ws/proto', h2: '@ws/proto/h2' }, H2_SMOKE, prints)
    await assertSubpathExports('h2', ['H2ClientHandshake', 'H2ServerHandshake'])
  },
)

packaging(
  '@ws/proto/wasm-mask: loads from ESM and CJS with the same exports as its source; the main entry masks exactly after the choice',
  async () => {
    const body = [
      "const chosen = w.setMaskingKernel('wasm') + ' ' + w.setMaskingKernel('typescript') + ' ' + w.setMaskingKernel('wasm')",
      "const client = new m.WebSocketConnection({ role: 'client' })",
      "const server = new m.WebSocketConnection({ role: 'server' })",
      'const data = new Uint8Array(100000).map((_, i) => i * 7)',
      'client.sendBinary(data)',
      'for (const chunk of client.takeOutgoing()) server.receive(chunk)',
      'const [event] = server.takeEvents()',
      "const same = event.type === 'binary' && event.data.every((byte, i) => byte === data[i])",
      "console.log(chosen + ' ' + same)",
    ].join('\n')
    runBothWays(
      'proto-wasm-mask-smoke',
      { m: '@ws/proto', w: '@ws/proto/wasm-mask' },
      body,
      'wasm typescript wasm true',
    )
    await assertSubpathExports('wasm-mask', ['preferWasmMasking', 'setMaskingKernel'])
  },
)

packaging('@ws/proto/h2: its types resolve from .mts and .cts and catch misuse', () => {
  const installed = join(project, 'node_modules', '@ws', 'proto', 'dist')
  checkTypes({
    dir: join(project, 'proto-h2-types'),
    imports: "import * as m from '@ws/proto'\nimport * as h2 from '@ws/proto/h2'",
    body: H2_SMOKE,
    probe: "export const wrong: string = new h2.H2ClientHandshake({ url: 'ws://x/' }).headers",
    nodeTypes: false,
    dts: [join(installed, 'h2.d.ts'), join(installed, 'h2.d.cts')],
  })
})

packaging.run()
