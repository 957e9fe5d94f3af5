// The README's `pnpm demo`: scripts/demo.mjs at the repository root, run as a subprocess
// (the packages are already built, as `pnpm test` builds before testing).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { quietEnv, rootDir } from './harness.ts'

test('pnpm demo builds, then runs scripts/demo.mjs', () => {
  const manifest = JSON.parse(readFileSync(join(rootDir, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>
  }
  assert.is(manifest.scripts.demo, 'pnpm build && node scripts/demo.mjs')
})

test('the demo exchanges text, binary and a large compressed message over wss:// and exits 0', () => {
  const result = spawnSync(process.execPath, [join(rootDir, 'scripts', 'demo.mjs')], {
    cwd: rootDir,
    env: quietEnv(),
    encoding: 'utf8',
    timeout: 30_000,
    killSignal: 'SIGKILL',
  })
  assert.is(result.stderr, '')
  assert.is(result.status, 0, result.stdout)
  const lines = result.stdout.trimEnd().split('\n')
  const expected = [
    /^server: listening on wss:\/\/127\.0\.0\.1:\d+ with packages\/node-tls\/test\/fixtures\/server\.pem/,
    /^client: connecting to wss:\/\/localhost:\d+\/demo, trusting packages\/node-tls\/test\/fixtures\/ca\.pem$/,
    /^server: accepted \/demo over TLSv1\.3, subprotocol demo\.v1$/,
    /^client: TLS TLSv1\.3, cipher \S+, server certificate CN=localhost verified$/,
    /^client: subprotocol demo\.v1$/,
    /^client: extension permessage-deflate\b/,
    /^client: sending text "Hello over wss:\/\/, with permessage-deflate"$/,
    /^server: received text, 42 characters, echoing it$/,
    /^client: received text "Hello over wss:\/\/, with permessage-deflate"$/,
    /^client: sending binary deadbeef000102ff$/,
    /^server: received binary, 8 bytes, echoing it$/,
    /^client: received binary deadbeef000102ff$/,
    /^client: sent a large JSON text: \d+ bytes, \d+ bytes on the wire after compression and TLS/,
    /^server: received text, \d+ characters, echoing it$/,
    /^client: received the large text back: \d+ bytes, identical$/,
    /^client: closing with 1000 "demo done"$/,
    /^server: the client closes with 1000 "demo done"; answering$/,
    /^client: closed: the server answered 1000, clean: true$/,
    /^server: stopped$/,
    /^demo: done$/,
  ]
  assert.is(lines.length, expected.length, result.stdout)
  for (const [i, pattern] of expected.entries()) assert.match(lines[i] as string, pattern)
})

test.run()
