// The Autobahn-style suite: every case against our stack in both roles (the CI gate), ws's
// published score reproduced (the calibration), and proof that the suite fails implementations
// that break the rules, so that a clean result means something.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer as createNetServer, connect as netConnect, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WebSocketServer } from '@ws/node-tcp'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { calibrationGaps, ourFailures, parseArgs, WS_PUBLISHED } from '../src/autobahn/main.ts'
import { allCases, compareIds, selected } from '../src/autobahn/registry.ts'
import { notOk, toJson, toMarkdown } from '../src/autobahn/report.ts'
import { type CaseResult, type Implementation, runClientRole, runServerRole } from '../src/autobahn/runner.ts'
import { ours, ws } from '../src/autobahn/targets.ts'

/** Messages per compression case in CI (Autobahn sends 1000; `pnpm conformance --full` too). */
const CI_MESSAGES = 20
const INFORMATIONAL = ['7.1.6', '7.13.1', '7.13.2']

function describe(results: readonly CaseResult[]): string {
  return results
    .map((r) => `${r.id} ${r.behavior}/${r.behaviorClose}: ${r.result} ${r.violation ?? ''}`)
    .join('\n')
}

function only(ids: string[], messages = 2) {
  return allCases(messages).filter((entry) => selected(entry.id, ids))
}

const gate = suite('every case against our stack')

for (const role of ['server', 'client'] as const) {
  gate(`our ${role}: 517 cases, no case that is not OK (the informational ones aside)`, async () => {
    const run = role === 'server' ? runServerRole : runClientRole
    const results = await run(ours, allCases(CI_MESSAGES))
    assert.is(results.length, 517)
    assert.equal(describe(ourFailures(results)), '')
    assert.equal(
      results.filter((r) => r.behavior === 'INFORMATIONAL').map((r) => r.id),
      INFORMATIONAL,
    )
    // What the informational cases did: the messages before the close were echoed (7.1.6);
    // close codes 5000 and 65535 get 1002, as from ws.
    assert.equal(results.find((r) => r.id === '7.1.6')?.received, ['text 262144 B', 'text 12 B'])
    assert.equal(
      results.filter((r) => r.id.startsWith('7.13.')).map((r) => r.remoteCloseCode),
      [1002, 1002],
    )
  })
}

const calibration = suite('calibration: ws reproduces its published score')

for (const role of ['server', 'client'] as const) {
  calibration(`ws ${role}: 510 OK, 4 NON-STRICT (6.4.1-6.4.4), 3 INFORMATIONAL`, async () => {
    const run = role === 'server' ? runServerRole : runClientRole
    const results = await run(ws, allCases(5))
    assert.equal(calibrationGaps(results), [])
    assert.equal(
      results.filter((r) => r.behavior === 'NON-STRICT').map((r) => r.id),
      WS_PUBLISHED.nonStrict,
    )
  })
}

// --- Implementations that break the rules ------------------------------------------------------

const wsModule = createRequire(import.meta.url)('ws') as {
  WebSocket: new (
    url: string,
  ) => {
    on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void
    on(event: 'close' | 'error', listener: () => void): void
    send(data: Buffer | string, options?: { binary: boolean }): void
  }
  WebSocketServer: new (
    options: Record<string, unknown>,
  ) => {
    on(event: 'connection', listener: (socket: WsPeer) => void): void
    once(event: 'listening', listener: () => void): void
    address(): { port: number }
    close(callback: () => void): void
    clients: Set<WsPeer>
  }
}
interface WsPeer {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void
  on(event: 'error', listener: () => void): void
  send(data: Buffer | string, options?: { binary: boolean }): void
  terminate(): void
}

/** A ws server with `options`, answering each message with `reply`. */
function wsServer(
  options: Record<string, unknown>,
  reply: (data: Buffer, isBinary: boolean) => Buffer,
): Implementation {
  return {
    name: 'broken-ws',
    async startServer() {
      const server = new wsModule.WebSocketServer({ host: '127.0.0.1', port: 0, ...options })
      server.on('connection', (socket) => {
        socket.on('error', () => {})
        socket.on('message', (data, isBinary) => socket.send(reply(data, isBinary), { binary: isBinary }))
      })
      await new Promise<void>((resolve) => server.once('listening', resolve))
      return {
        port: server.address().port,
        stop: () =>
          new Promise<void>((resolve) => {
            for (const client of server.clients) client.terminate()
            server.close(() => resolve())
          }),
      }
    },
    runClient: () => Promise.reject(new Error('server only')),
  }
}

/** The message with its first byte changed (the case payloads are often one repeated byte). */
const mangled = (data: Buffer) => {
  const copy = Buffer.from(data)
  if (copy.length > 0) copy[0] = (copy[0] as number) ^ 0x01
  return copy
}

/** A raw server that answers the handshake correctly (unless `response` says otherwise), then writes `bytes`. */
function scripted(bytes: Uint8Array, response?: (accept: string) => string): Implementation {
  return {
    name: 'scripted',
    async startServer() {
      const server: Server = createNetServer((socket: Socket) => {
        socket.on('error', () => {})
        let head = ''
        socket.on('data', (chunk: Buffer) => {
          if (head.includes('\r\n\r\n')) return
          head += chunk.toString('latin1')
          if (!head.includes('\r\n\r\n')) return
          const key = /Sec-WebSocket-Key: (\S+)/i.exec(head)?.[1] ?? ''
          const accept = createHash('sha1')
            .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
            .digest('base64')
          socket.write(
            response?.(accept) ??
              `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
          )
          socket.write(bytes)
        })
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      return {
        port: (server.address() as { port: number }).port,
        stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
      }
    },
    runClient: () => Promise.reject(new Error('server only')),
  }
}

const broken = suite('the suite fails implementations that break the rules')

broken('wrong echoes: a changed byte fail 1.1.2, 1.2.2 and a compression case', async () => {
  const results = await runServerRole(
    wsServer({ perMessageDeflate: true }, mangled),
    only(['1.1.2', '1.2.2', '12.2.3']),
  )
  assert.equal(
    results.map((r) => [r.id, r.behavior]),
    [
      ['1.1.2', 'FAILED'],
      ['1.2.2', 'FAILED'],
      ['12.2.3', 'FAILED'],
    ],
  )
  assert.match((results[2] as CaseResult).result, /contents differs/)
})

broken('no compression agreed: the compression cases are UNIMPLEMENTED', async () => {
  const results = await runServerRole(
    wsServer({ perMessageDeflate: false }, (data) => data),
    only(['12.1.1', '13.3.1']),
  )
  assert.equal(
    results.map((r) => r.behavior),
    ['UNIMPLEMENTED', 'UNIMPLEMENTED'],
  )
  assert.ok(results.every(notOk))
})

broken(
  'no UTF-8 validation: invalid text is echoed and the fuzzer has to close (both verdicts FAILED)',
  async () => {
    const results = await runServerRole(
      wsServer({ skipUTF8Validation: true }, (data) => data),
      only(['6.3.1', '6.20.1']),
    )
    for (const r of results) assert.equal([r.behavior, r.behaviorClose], ['FAILED', 'FAILED'], r.id)
  },
)

broken('a server that leaves the TCP close to the client: FAILED BY CLIENT', async () => {
  const impl: Implementation = {
    name: 'lingering',
    async startServer() {
      const server = new WebSocketServer()
      server.on('connection', (connection) => {
        connection.on('text', (event) => connection.sendText(event.data))
      })
      const sockets = new Set<Socket>()
      const net = createNetServer((socket) => {
        // The server never ends its side of the TCP connection.
        socket.end = (() => socket) as typeof socket.end
        sockets.add(socket)
        server.handleSocket(socket)
      })
      await new Promise<void>((resolve) => net.listen(0, '127.0.0.1', resolve))
      return {
        port: (net.address() as { port: number }).port,
        stop: async () => {
          await server.close()
          for (const socket of sockets) socket.destroy()
          await new Promise<void>((resolve) => net.close(() => resolve()))
        },
      }
    },
    runClient: () => Promise.reject(new Error('server only')),
  }
  const [result] = await runServerRole(impl, only(['1.1.1']))
  assert.equal([result?.behavior, result?.behaviorClose], ['OK', 'FAILED BY CLIENT'])
})

broken('a client that changes what it echoes fails in the client role', async () => {
  const impl: Implementation = {
    name: 'shouting-client',
    startServer: () => Promise.reject(new Error('client only')),
    runClient: (url) =>
      new Promise((resolve) => {
        const socket = new wsModule.WebSocket(url)
        socket.on('message', (data, isBinary) => socket.send(mangled(data), { binary: isBinary }))
        socket.on('error', () => {})
        socket.on('close', () => resolve())
      }),
  }
  const results = await runClientRole(impl, only(['1.1.2', '2.1']))
  assert.equal(
    results.map((r) => [r.id, r.behavior]),
    [
      ['1.1.2', 'FAILED'],
      ['2.1', 'OK'],
    ],
  )
})

broken('a client that never connects, or sends no WebSocket request, fails the case', async () => {
  const never: Implementation = {
    name: 'never',
    startServer: () => Promise.reject(new Error('client only')),
    runClient: () => Promise.reject(new Error('refused to try')),
  }
  const [missing] = await runClientRole(never, only(['1.1.1']))
  assert.equal([missing?.behavior, missing?.behaviorClose], ['FAILED', 'FAILED'])
  assert.match(missing?.result ?? '', /never sent its opening handshake: refused to try/)
  const plainHttp: Implementation = {
    name: 'plain-http',
    startServer: () => Promise.reject(new Error('client only')),
    runClient: async (url) => {
      const { port, pathname, search } = new URL(url)
      const socket = netConnect(Number(port), '127.0.0.1')
      socket.on('error', () => {})
      socket.write(`GET ${pathname}${search} HTTP/1.1\r\nHost: x\r\n\r\n`)
      await new Promise((resolve) => socket.on('close', resolve))
    },
  }
  const [noKey] = await runClientRole(plainHttp, only(['1.1.1']))
  assert.match(noKey?.result ?? '', /opening handshake failed: not a WebSocket request/)
})

const frame = (...bytes: number[]) => Uint8Array.from(bytes)
const VIOLATIONS: [string, Uint8Array, RegExp][] = [
  ['a masked frame from a server', frame(0x81, 0x81, 1, 2, 3, 4, 0x61 ^ 1), /masked frame from a server/],
  ['RSV2 set', frame(0xa1, 0x00), /RSV bits 2/],
  ['RSV1 without compression', frame(0xc1, 0x00), /RSV bits 4/],
  ['a reserved data opcode', frame(0x83, 0x00), /reserved opcode 3/],
  ['a reserved control opcode', frame(0x8b, 0x00), /reserved opcode 11/],
  ['a fragmented ping', frame(0x09, 0x00), /fragmented or oversized control frame/],
  ['a continuation with nothing to continue', frame(0x80, 0x00), /continuation frame without a message/],
  ['a new message inside a fragmented one', frame(0x01, 0x01, 0x61, 0x81, 0x01, 0x62), /new message inside/],
  ['text that is not UTF-8', frame(0x81, 0x01, 0xff), /not UTF-8/],
  ['a close with a 1-byte payload', frame(0x88, 0x01, 0x00), /1-byte payload/],
  ['a close with code 999', frame(0x88, 0x02, 0x03, 0xe7), /invalid close frame \(code 999\)/],
  ['a 16-bit length that fits in 7 bits', frame(0x81, 0x7e, 0x00, 0x01, 0x61), /fits in 7 bits/],
]

const violations = suite('the fuzzer fails the connection when the implementation breaks a rule')

for (const [what, bytes, pattern] of VIOLATIONS) {
  violations(what, async () => {
    const [result] = await runServerRole(scripted(bytes), only(['1.1.1']))
    assert.match(result?.violation ?? '', pattern)
    assert.is(result?.behavior, 'FAILED')
  })
}

violations('handshake answers the fuzzer refuses', async () => {
  const wrongAccept = scripted(
    new Uint8Array(0),
    () =>
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n',
  )
  const [accept] = await runServerRole(wrongAccept, only(['1.1.1']))
  assert.match(accept?.result ?? '', /opening handshake failed: wrong Sec-WebSocket-Accept/)
  const unoffered = scripted(
    new Uint8Array(0),
    (key) =>
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${key}\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n`,
  )
  const [extension] = await runServerRole(unoffered, only(['1.1.1']))
  assert.match(extension?.result ?? '', /extensions in the response that were not offered/)
  const refused = scripted(new Uint8Array(0), () => 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
  const [status] = await runServerRole(refused, only(['1.1.1']))
  assert.match(status?.result ?? '', /handshake answered HTTP\/1\.1 404/)
})

// --- Report and command line -----------------------------------------------------------------

const report = suite('report and command line')

const sample = (
  id: string,
  behavior: CaseResult['behavior'],
  behaviorClose: CaseResult['behaviorClose'],
): CaseResult => ({
  id,
  behavior,
  behaviorClose,
  remoteCloseCode: 1000,
  duration: 12,
  result: `result of ${id}`,
  resultClose: 'closed',
  received: id === '7.13.1' ? ['text 12 B'] : [],
})

report(
  'markdown: summary, families side by side, every case that is not OK, informational, 9.x times',
  () => {
    const runs = [
      {
        agent: 'ours',
        setup: 'defaults',
        role: 'server' as const,
        transport: 'h1' as const,
        results: [
          sample('1.1.1', 'OK', 'OK'),
          sample('7.13.1', 'INFORMATIONAL', 'INFORMATIONAL'),
          sample('9.1.1', 'OK', 'OK'),
        ],
      },
      {
        agent: 'ws',
        setup: 'caps off',
        role: 'client' as const,
        transport: 'h1' as const,
        results: [sample('1.1.1', 'FAILED', 'WRONG CODE'), sample('6.4.1', 'NON-STRICT', 'OK')],
      },
      {
        agent: 'ours',
        setup: 'over h2c',
        role: 'client' as const,
        transport: 'h2' as const,
        results: [sample('1.1.1', 'OK', 'UNCLEAN'), sample('7.13.1', 'INFORMATIONAL', 'INFORMATIONAL')],
      },
    ]
    const info = {
      command: 'pnpm conformance',
      date: '2026-11-25',
      node: '20',
      machine: '2 cores',
      messages: 100,
      seconds: 3,
    }
    const md = toMarkdown(runs, info)
    assert.match(md, /\| ours \| server \| 3 \| 2 \| 0 \| 1 \| 0 \| 0 \| 0 \|/)
    assert.match(md, /\| ws \| client \| 2 \| 0 \| 1 \| 0 \| 0 \| 1 \| 1 \|/)
    assert.match(md, /\| 1\.x \| 1 \| 1 OK \| 1 FAILED \|/)
    assert.match(md, /\| 9\.x \| 1 \| 1 OK \| not run \|/)
    assert.match(md, /\| 1\.1\.1 \| ws \| client \| FAILED \| WRONG CODE \| 1000 \| result of 1\.1\.1 \|/)
    assert.match(md, /\| 6\.4\.1 \| ws \| client \| NON-STRICT \|/)
    assert.not.match(md, /\| 1\.1\.1 \| ours \| server \| OK/)
    assert.match(md, /\| 7\.13\.1 \| ours \| server \| text 12 B \| 1000 \| result of 7\.13\.1 \|/)
    assert.match(md, /\| 9\.1\.1 \| 12 \| {2}\| {2}\|/)
    // The run over HTTP/2 is marked wherever it appears.
    assert.match(md, /- \*\*ours \(HTTP\/2\)\*\*: over h2c/)
    assert.match(md, /\| ours \(HTTP\/2\) \| client \| 2 \| 1 \| 0 \| 1 \| 0 \| 0 \| 1 \|/)
    assert.match(md, /\| 1\.x \| 1 \| 1 OK \| 1 FAILED \| 1 OK \|/)
    assert.match(md, /\| 1\.1\.1 \| ours \(HTTP\/2\) \| client \| OK \| UNCLEAN \|/)
    assert.match(md, /\| 7\.13\.1 \| ours \(HTTP\/2\) \| client \| text 12 B \|/)
    assert.match(md, /ours server \| ws client \| ours \(HTTP\/2\) client \|/)
    assert.match(md, /RST_STREAM with CANCEL/)
    const json = JSON.parse(toJson(runs, info))
    assert.is(json.agents.ours.roles.server['7.13.1'].behavior, 'INFORMATIONAL')
    assert.is(json.agents.ours.transport, 'HTTP/1.1')
    assert.is(json.agents.ws.setup, 'caps off')
    assert.is(json.agents['ours-h2'].transport, 'HTTP/2')
    assert.is(json.agents['ours-h2'].roles.client['1.1.1'].behaviorClose, 'UNCLEAN')
  },
)

report('calibration gaps and our failures are found when they exist', () => {
  const results = allCases(1).map((entry) => {
    const behavior = WS_PUBLISHED.nonStrict.includes(entry.id)
      ? 'NON-STRICT'
      : WS_PUBLISHED.informational.includes(entry.id)
        ? 'INFORMATIONAL'
        : 'OK'
    return sample(entry.id, behavior, behavior === 'INFORMATIONAL' ? 'INFORMATIONAL' : 'OK')
  })
  assert.equal(calibrationGaps(results), [])
  const changed = results.map((r) => (r.id === '2.1' ? { ...r, behaviorClose: 'UNCLEAN' as const } : r))
  assert.equal(calibrationGaps(changed), ['2.1: OK/UNCLEAN, published OK/OK'])
  assert.equal(calibrationGaps(results.slice(1)), ['516 cases, published 517'])
  assert.equal(
    ourFailures([
      sample('1', 'OK', 'OK'),
      sample('2', 'INFORMATIONAL', 'OK'),
      sample('3', 'NON-STRICT', 'OK'),
    ]).map((r) => r.id),
    ['2', '3'],
  )
  assert.equal(['2.10', '2.9', '12.1.10', '12.1.2', '9'].sort(compareIds), [
    '2.9',
    '2.10',
    '9',
    '12.1.2',
    '12.1.10',
  ])
})

report('arguments', () => {
  assert.equal(parseArgs([]), {
    messages: 100,
    cases: [],
    agents: ['ours', 'ws'],
    roles: ['server', 'client'],
    transports: ['h1'],
    write: true,
    out: null,
  })
  assert.equal(
    parseArgs([
      '--full',
      '--cases',
      '1.*,9.1.6',
      '--agent',
      'ws',
      '--role',
      'client',
      '--transport',
      'both',
      '--no-write',
      '--out',
      'x',
    ]),
    {
      messages: 1000,
      cases: ['1.*', '9.1.6'],
      agents: ['ws'],
      roles: ['client'],
      transports: ['h1', 'h2'],
      write: false,
      out: 'x',
    },
  )
  assert.equal(parseArgs(['--transport', 'h2']).transports, ['h2'])
  assert.equal(parseArgs(['--transport', 'h1']).transports, ['h1'])
  assert.is(parseArgs(['--messages', '7', '--agent', 'all', '--role', 'both']).messages, 7)
  for (const bad of [
    ['--messages', '0'],
    ['--agent', 'x'],
    ['--role', 'x'],
    ['--transport', 'h3'],
    ['--agent', 'ws', '--transport', 'h2'],
    ['--bogus'],
    ['--cases'],
  ]) {
    let message = ''
    try {
      parseArgs(bad)
    } catch (error) {
      message = (error as Error).message
    }
    assert.ok(message.length > 0, bad.join(' '))
  }
})

report('the command runs cases, prints the result and writes the report where it is told', () => {
  const dir = mkdtempSync(join(tmpdir(), 'conformance-'))
  try {
    const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'autobahn', 'main.ts')
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', main, '--cases', '1.1.1,7.13.1', '--transport', 'both', '--out', dir],
      {
        encoding: 'utf8',
      },
    )
    assert.is(run.status, 0, run.stdout + run.stderr)
    assert.match(run.stdout, /ours server: 2 cases +1 OK, 1 INFORMATIONAL/)
    assert.match(run.stdout, /ws client: 2 cases +1 OK, 1 INFORMATIONAL/)
    assert.match(run.stdout, /ours client over HTTP\/2: 2 cases +1 OK, 1 INFORMATIONAL/)
    assert.match(run.stdout, /ws: no WebSockets over HTTP\/2, skipped/)
    const md = readFileSync(join(dir, 'conformance.md'), 'utf8')
    assert.match(md, /\| ours \| client \| 2 \| 1 \| 0 \| 1 \| 0 \| 0 \| 0 \|/)
    assert.match(md, /\| ours \(HTTP\/2\) \| server \| 2 \| 1 \| 0 \| 1 \| 0 \| 0 \| 0 \|/)
    assert.match(md, /Generated by `pnpm conformance --transport both`/)
    const bad = spawnSync(process.execPath, ['--import', 'tsx', main, '--agent', 'nobody'], {
      encoding: 'utf8',
    })
    assert.is(bad.status, 2)
    assert.match(bad.stderr, /unknown agent nobody/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

gate.run()
calibration.run()
broken.run()
violations.run()
report.run()
