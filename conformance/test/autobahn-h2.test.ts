// The Autobahn-style suite over HTTP/2 (RFC 8441): every case against our server and our client
// (the CI gate), and proof that over HTTP/2 too the suite fails implementations that break the
// rules: wrong echoes, a server that leaves the end of the stream to the client, a stream reset
// mid-case, bad frames, and opening handshakes the fuzzer must refuse, in both roles.
import { once } from 'node:events'
import {
  createServer as createHttp2Server,
  connect as http2Connect,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Stream,
  type Settings,
} from 'node:http2'
import { createServer as createNetServer, type Socket } from 'node:net'
import { connect as connectH2, createH2Server } from '@ws/node-h2'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ourFailures } from '../src/autobahn/main.ts'
import { allCases, selected } from '../src/autobahn/registry.ts'
import { type CaseResult, type Implementation, runClientRole, runServerRole } from '../src/autobahn/runner.ts'
import { oursH2 } from '../src/autobahn/targets.ts'

/** Messages per compression case over HTTP/2 in CI (HTTP/1.1 runs them at 20, Autobahn at 1000). */
const CI_MESSAGES = 10
const INFORMATIONAL = ['7.1.6', '7.13.1', '7.13.2']

function describe(results: readonly CaseResult[]): string {
  return results
    .map((r) => `${r.id} ${r.behavior}/${r.behaviorClose}: ${r.result} ${r.violation ?? ''}`)
    .join('\n')
}

function only(ids: string[], messages = 2) {
  return allCases(messages).filter((entry) => selected(entry.id, ids))
}

const h2 = { transport: 'h2' } as const

const gate = suite('every case against our stack over HTTP/2')

for (const role of ['server', 'client'] as const) {
  gate(
    `our ${role} over HTTP/2: 517 cases, no case that is not OK (the informational ones aside)`,
    async () => {
      const run = role === 'server' ? runServerRole : runClientRole
      const results = await run(oursH2, allCases(CI_MESSAGES), h2)
      assert.is(results.length, 517)
      assert.equal(describe(ourFailures(results)), '')
      assert.equal(
        results.filter((r) => r.behavior === 'INFORMATIONAL').map((r) => r.id),
        INFORMATIONAL,
      )
      // The informational cases did what they do over HTTP/1.1.
      assert.equal(results.find((r) => r.id === '7.1.6')?.received, ['text 262144 B', 'text 12 B'])
      assert.equal(
        results.filter((r) => r.id.startsWith('7.13.')).map((r) => r.remoteCloseCode),
        [1002, 1002],
      )
    },
  )
}

// --- Implementations that break the rules, over HTTP/2 ----------------------------------------

type H2Connection = Awaited<ReturnType<typeof connectH2>>

/** The text or bytes with their first character or byte changed. */
function mangleText(text: string): string {
  return text.length === 0 ? text : String.fromCharCode(text.charCodeAt(0) ^ 1) + text.slice(1)
}
function mangleBytes(data: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(data)
  if (copy.length > 0) copy[0] = (copy[0] as number) ^ 1
  return copy
}

function mangledEcho(connection: H2Connection): void {
  connection.on('text', (event) => connection.sendText(mangleText(event.data)))
  connection.on('binary', (event) => connection.sendBinary(mangleBytes(event.data)))
}

/**
 * A node:http2 server (h2c) whose streams go to `onStream`; it advertises extended CONNECT
 * unless `settings` says otherwise.
 */
function rawH2Server(
  onStream: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, raw: string[]) => void,
  settings: Settings = { enableConnectProtocol: true },
): Implementation {
  return {
    name: 'raw-h2',
    async startServer() {
      const server = createHttp2Server({ settings })
      server.on('session', (session) => session.on('error', () => {}))
      // The raw field list (the fourth argument) is missing from @types/node 20.
      const handle = (
        stream: ServerHttp2Stream,
        headers: IncomingHttpHeaders,
        _flags: number,
        raw: string[],
      ) => {
        stream.on('error', () => {})
        onStream(stream, headers, raw)
      }
      server.on('stream', handle as (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void)
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      return {
        port: (server.address() as { port: number }).port,
        stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
      }
    },
    runClient: () => Promise.reject(new Error('server only')),
  }
}

/** Answers every extended CONNECT with `headers` and then writes `bytes` on the stream. */
function scripted(bytes: Uint8Array, headers: OutgoingHttpHeaders = { ':status': 200 }): Implementation {
  return rawH2Server((stream) => {
    stream.respond(headers)
    stream.write(bytes)
  })
}

const broken = suite('over HTTP/2, the suite fails implementations that break the rules')

broken('a server that changes what it echoes fails 1.1.2, 1.2.2 and a compression case', async () => {
  const impl: Implementation = {
    ...oursH2,
    name: 'mangling-h2',
    async startServer() {
      const server = createH2Server({}, mangledEcho)
      const { port } = await server.listen({ h2c: true })
      return { port, stop: () => server.close() }
    },
  }
  const results = await runServerRole(impl, only(['1.1.2', '1.2.2', '12.2.3']), h2)
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

broken('a client that changes what it echoes fails in the client role', async () => {
  const impl: Implementation = {
    ...oursH2,
    name: 'mangling-h2-client',
    async runClient(url) {
      const connection = await connectH2(url, { requireHttp2: true })
      mangledEcho(connection)
      await connection.closed
    },
  }
  const results = await runClientRole(impl, only(['1.1.2', '2.1']), h2)
  assert.equal(
    results.map((r) => [r.id, r.behavior]),
    [
      ['1.1.2', 'FAILED'],
      ['2.1', 'OK'],
    ],
  )
})

/** Our server behind a node:http2 server of the test's own, with `patch` applied to each stream. */
function patchedServer(patch: (stream: ServerHttp2Stream) => void): Implementation {
  const ws = createH2Server({}, (connection) => {
    connection.on('text', (event) => connection.sendText(event.data))
  })
  const impl = rawH2Server((stream, headers, raw) => {
    patch(stream)
    ws.handleStream(stream, headers, raw)
  })
  return {
    ...impl,
    async startServer() {
      const server = await impl.startServer()
      return {
        port: server.port,
        stop: async () => {
          await ws.close()
          await server.stop()
        },
      }
    },
  }
}

broken('a server that never ends its stream after the close: FAILED BY CLIENT', async () => {
  // END_STREAM is the server's TCP FIN (RFC 8441 section 6); this one never sends it.
  const lingering = patchedServer((stream) => {
    stream.end = (() => stream) as typeof stream.end
  })
  const [result] = await runServerRole(lingering, only(['1.1.1']), h2)
  assert.equal([result?.behavior, result?.behaviorClose], ['OK', 'FAILED BY CLIENT'])
})

broken('a server that resets the stream mid-case: the case ends at once, FAILED', async () => {
  // RST_STREAM is a TCP RST: the connection is gone, no echo, no closing handshake.
  const resetting = patchedServer((stream) => {
    stream.once('data', () => stream.close(0x8))
  })
  const [result] = await runServerRole(resetting, only(['1.1.2']), h2)
  assert.equal([result?.behavior, result?.behaviorClose], ['FAILED', 'FAILED'])
  assert.is(result?.received.length, 0)
  assert.ok((result?.duration ?? Infinity) < 1000, `graded after ${result?.duration} ms`)
})

const frame = (...bytes: number[]) => Uint8Array.from(bytes)

broken('bad frames on the stream: the fuzzer reads them with its own frame code', async () => {
  const masked = await runServerRole(scripted(frame(0x81, 0x81, 1, 2, 3, 4, 0x61 ^ 1)), only(['1.1.1']), h2)
  assert.match(masked[0]?.violation ?? '', /masked frame from a server/)
  const utf8 = await runServerRole(scripted(frame(0x81, 0x01, 0xff)), only(['1.1.1']), h2)
  assert.match(utf8[0]?.violation ?? '', /not UTF-8/)
  assert.is(utf8[0]?.behavior, 'FAILED')
})

broken('opening handshakes the fuzzer (as a client) refuses', async () => {
  const result = async (impl: Implementation) => (await runServerRole(impl, only(['1.1.1']), h2))[0]?.result
  const offered: Record<string, string>[] = []
  const noExtendedConnect = rawH2Server(() => {}, {})
  assert.match(
    (await result(noExtendedConnect)) ?? '',
    /opening handshake failed: the server did not send SETTINGS_ENABLE_CONNECT_PROTOCOL/,
  )
  const notFound = rawH2Server((stream, headers) => {
    offered.push({
      method: String(headers[':method']),
      protocol: String(headers[':protocol']),
      scheme: String(headers[':scheme']),
      version: String(headers['sec-websocket-version']),
    })
    stream.respond({ ':status': 404 }, { endStream: true })
  })
  assert.match((await result(notFound)) ?? '', /opening handshake failed: handshake answered 404/)
  assert.equal(offered, [{ method: 'CONNECT', protocol: 'websocket', scheme: 'http', version: '13' }])
  const unoffered = scripted(new Uint8Array(0), {
    ':status': 200,
    'sec-websocket-extensions': 'permessage-deflate',
  })
  assert.match((await result(unoffered)) ?? '', /extensions in the response that were not offered/)
  const resetAtOnce = rawH2Server((stream) => stream.close(0x8))
  assert.match((await result(resetAtOnce)) ?? '', /the response: closed before it came/)
})

broken('a server that does not speak HTTP/2 at all', async () => {
  const sockets = new Set<Socket>()
  const impl: Implementation = {
    name: 'http1-only',
    async startServer() {
      const server = createNetServer((socket) => {
        sockets.add(socket)
        socket.on('error', () => {})
        // Reading keeps the socket active until the fuzzer goes.
        socket.resume()
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      return {
        port: (server.address() as { port: number }).port,
        stop: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve())
            for (const socket of sockets) socket.destroy()
          }),
      }
    },
    runClient: () => Promise.reject(new Error('server only')),
  }
  const [result] = await runServerRole(impl, only(['1.1.1']), h2)
  assert.equal([result?.behavior, result?.behaviorClose], ['FAILED', 'FAILED'])
  assert.match(result?.result ?? '', /opening handshake failed/)
})

broken(
  'requests the fuzzer (as a server) refuses: not an extended CONNECT, no version, no case',
  async () => {
    const statuses: number[] = []
    /** A client that sends `headers` (with the case's path) on a raw session and records the status. */
    const rawClient = (headers: OutgoingHttpHeaders): Implementation => ({
      name: 'raw-h2-client',
      startServer: () => Promise.reject(new Error('client only')),
      async runClient(url) {
        const { host, pathname, search } = new URL(url)
        const session = http2Connect(`http://${host}`)
        session.on('error', () => {})
        try {
          await once(session, 'remoteSettings')
          const stream = session.request({ ':path': pathname + search, ...headers }, { endStream: false })
          stream.on('error', () => {})
          const [response] = (await once(stream, 'response')) as [IncomingHttpHeaders]
          statuses.push(Number(response[':status']))
        } finally {
          session.destroy()
        }
      },
    })
    const connect = { ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'http' }
    const [get] = await runClientRole(rawClient({ ':method': 'GET' }), only(['1.1.1']), h2)
    assert.match(get?.result ?? '', /opening handshake failed: not a WebSocket request \(GET\)/)
    const other = rawClient({ ...connect, ':protocol': 'webtransport', 'sec-websocket-version': '13' })
    const [webtransport] = await runClientRole(other, only(['1.1.1']), h2)
    assert.match(webtransport?.result ?? '', /not a WebSocket request \(:protocol webtransport\)/)
    const [noVersion] = await runClientRole(rawClient(connect), only(['1.1.1']), h2)
    assert.match(noVersion?.result ?? '', /opening handshake failed: no Sec-WebSocket-Version: 13/)
    const elsewhere = rawClient({ ...connect, 'sec-websocket-version': '13', ':path': '/nothing-here' })
    const [missing] = await runClientRole(elsewhere, only(['1.1.1']), h2)
    assert.match(missing?.result ?? '', /the client never sent its opening handshake/)
    assert.equal(statuses, [400, 400, 400, 404])
  },
)

gate.run()
broken.run()
