/**
 * End to end in Deno and Bun, driven from Node: each runtime runs a script (test/e2e/) whose
 * clients talk to our Node servers (ws:// and wss://, permessage-deflate on) and to the
 * runtime's own WebSocket server, and whose own WebSocket client talks to our Node server. Our
 * servers record what each request carried (the custom header, the extension offer) and how each
 * connection closed; the scripts report what the clients saw. Deno runs the sources through an
 * import map; Bun runs our Node adapters' sources on its node:net and node:tls.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  BUN,
  DENO,
  FLOOD,
  importMap,
  type NodeServers,
  nodeServers,
  PEM,
  ROOT,
  type RunResult,
  run,
} from './runtimes-helpers.ts'

const ECHOED = (big: number): string[] => ['hello', 'binary:1,2,3', `text:${big}:true`]
const CLEAN = { code: 1000, reason: '', wasClean: true }
const DEFLATE = /^permessage-deflate(;|$)/

function report(result: RunResult, scenario: string): Record<string, unknown> {
  const found = result.reports.get(scenario)
  if (found === undefined) {
    const failure = result.reports.get('failure')
    throw new Error(
      `no report for ${scenario} (exit ${result.code}): ${String(failure?.message ?? '')}\n${result.stderr.slice(0, 2000)}`,
    )
  }
  return found
}

/** Asserts what our Node server saw of one request. */
function assertSeen(
  servers: NodeServers,
  path: string,
  header: string,
  deflate: boolean,
  reason = 'done',
): void {
  const seen = servers.seen.get(path)
  assert.ok(seen, `our server saw ${path}`)
  assert.is(seen?.header, header, `the custom header reached the server (${path})`)
  if (deflate) assert.match(seen?.extensions ?? '', DEFLATE, `permessage-deflate agreed (${path})`)
  else assert.is(seen?.extensions, '', `no permessage-deflate (${path})`)
  assert.equal(seen?.closed, { code: 1000, reason, wasClean: true }, `closed cleanly (${path})`)
}

const deno = suite('Deno: our WebSocket over Deno TCP/TLS, Deno.serve, Deno’s own client')

deno('every scenario', async () => {
  const servers = await nodeServers()
  try {
    const result = await run(
      DENO,
      [
        'run',
        '--no-config',
        '--no-lock',
        `--import-map=${importMap()}`,
        '--allow-net=127.0.0.1',
        `--allow-read=${ROOT}`,
        join(ROOT, 'packages/deno/test/e2e/deno-e2e.ts'),
        JSON.stringify({ ws: servers.ws, wss: servers.wss, ca: PEM.ca }),
      ],
      tmpdir(),
    )
    const big = 120_000

    for (const [scenario, path] of [
      ['ours-tcp-to-node', '/ours-tcp'],
      ['ours-tls-to-node', '/ours-tls'],
    ] as const) {
      const seen = report(result, scenario)
      assert.match(String(seen.extensions), DEFLATE, scenario)
      assert.equal(seen.received, ECHOED(big), scenario)
      assert.equal(seen.closed, CLEAN, scenario)
      assertSeen(servers, path, 'deno', true)
    }
    assert.is(report(result, 'ours-tcp-to-node').protocol, 'chat')

    // The test CA is what made the TLS scenario work: without it, an error and 1006.
    assert.equal(report(result, 'ours-tls-untrusted'), {
      scenario: 'ours-tls-untrusted',
      events: ['error'],
      code: 1006,
    })
    assert.not.ok(servers.seen.has('/untrusted'))

    const stream = report(result, 'ours-stream-to-node')
    assert.match(String(stream.extensions), DEFLATE)
    assert.equal(stream.received, ['stream hello', `text:${big}`])
    assert.equal(stream.closed, { closeCode: 1000, reason: '' })
    assertSeen(servers, '/ours-stream', 'deno', true, 'stream done')

    // Backpressure: while the stream was not read, Deno's socket was not read either, so most of
    // the 32 MiB flood was still in our server's buffer 2.5 s later (the kernel's buffers hold
    // some megabytes); then all of it arrived.
    assert.equal(report(result, 'ours-stream-backpressure'), {
      scenario: 'ours-stream-backpressure',
      messages: FLOOD.count,
      bytes: FLOOD.count * FLOOD.size,
    })
    const flood = servers.seen.get('/flood')
    assert.ok((flood?.bufferedLater ?? 0) > 16 * 1024 * 1024, `still buffered: ${flood?.bufferedLater}`)
    assert.equal(flood?.closed, { code: 1000, reason: 'done', wasClean: true })

    assert.equal(report(result, 'ours-refused'), {
      scenario: 'ours-refused',
      code: 'ECONNREFUSED',
      events: ['error'],
      closeCode: 1006,
    })

    // Deno's own server: our offer reaches it, it answers without permessage-deflate.
    const denoServe = report(result, 'ours-to-deno-serve')
    assert.equal(denoServe.received, ECHOED(big))
    assert.equal(denoServe.closed, { code: 1000, reason: 'done', wasClean: true })
    assert.is(denoServe.extensions, '')
    const denoSaw = report(result, 'deno-serve-saw')
    assert.is(denoSaw.header, 'deno')
    assert.match(String(denoSaw.offered), /^permessage-deflate/)

    // Deno's own client: it sends custom headers, and offers no permessage-deflate.
    const denoClient = report(result, 'deno-client-to-node')
    assert.equal(denoClient.received, ECHOED(big))
    assert.equal(denoClient.closed, CLEAN)
    assertSeen(servers, '/deno-client', 'deno', false)
    assert.is(servers.seen.get('/deno-client')?.offered, undefined)
    assert.is(result.code, 0, result.stderr)
  } finally {
    await servers.close()
  }
})

deno.run()

const bun = suite('Bun: our Node adapters on Bun’s node:net/node:tls, Bun.serve, Bun’s own client')

bun('every scenario', async () => {
  const servers = await nodeServers()
  try {
    const result = await run(
      BUN,
      [
        '--no-install',
        join(ROOT, 'packages/deno/test/e2e/bun-e2e.ts'),
        JSON.stringify({ ws: servers.ws, wss: servers.wss, ca: PEM.ca }),
      ],
      join(ROOT, 'packages/deno'),
    )
    const big = 116_000

    for (const [scenario, path] of [
      ['ours-tcp-to-node', '/ours-tcp'],
      ['ours-tls-to-node', '/ours-tls'],
    ] as const) {
      const seen = report(result, scenario)
      assert.match(String(seen.extensions), DEFLATE, scenario)
      assert.equal(seen.received, ECHOED(big), scenario)
      assert.equal(seen.closed, CLEAN, scenario)
      assertSeen(servers, path, 'bun', true)
    }
    assert.is(report(result, 'ours-tcp-to-node').protocol, 'chat')
    const untrusted = report(result, 'ours-tls-untrusted')
    assert.is(untrusted.connected, false)
    assert.is(untrusted.kind, 'network')

    // Bun's own server: the header reaches it, and it agrees permessage-deflate with our client.
    const bunServe = report(result, 'ours-to-bun-serve')
    assert.equal(bunServe.received, ECHOED(big))
    assert.equal(bunServe.closed, { code: 1000, reason: 'done', wasClean: true })
    assert.match(String(bunServe.extensions), DEFLATE)
    assert.is(report(result, 'bun-serve-saw').header, 'bun')

    // Bun's own client: custom headers (Bun's `headers` option) and permessage-deflate agreed.
    const bunClient = report(result, 'bun-client-to-node')
    assert.equal(bunClient.received, ECHOED(big))
    assert.equal(bunClient.closed, CLEAN)
    assert.match(String(bunClient.extensions), DEFLATE)
    assertSeen(servers, '/bun-client', 'bun', true)
    assert.is(result.code, 0, result.stderr)
  } finally {
    await servers.close()
  }
})

bun.run()
