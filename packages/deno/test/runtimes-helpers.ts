/**
 * Helpers for the end-to-end tests in other runtimes: our Node servers (ws:// and wss://, echo,
 * recording what each request carried), and running a script in Deno or Bun with a deadline.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Connection } from '../../node-tcp/src/index.ts'
import { WebSocketServer } from '../../node-tcp/src/index.ts'
import { SecureWebSocketServer } from '../../node-tls/src/index.ts'

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const DENO = join(ROOT, 'node_modules/.bin/deno')
export const BUN = join(ROOT, 'node_modules/@oven/bun-linux-x64/bin/bun')
const fixture = (name: string): string =>
  readFileSync(join(ROOT, 'packages/node-tls/test/fixtures', name), 'utf8')
export const PEM = { ca: fixture('ca.pem'), cert: fixture('server.pem'), key: fixture('server-key.pem') }

/** What our server saw of one request. */
export interface Seen {
  path: string
  header: string | undefined
  offered: string | undefined
  extensions: string
  protocol: string
  closed?: { code: number; reason: string; wasClean: boolean }
  /** For /flood: the server's bufferedAmount 2.5 s after it sent everything. */
  bufferedLater?: number
}

export interface NodeServers {
  ws: string
  wss: string
  seen: Map<string, Seen>
  close(): Promise<void>
}

function echo(
  connection: Connection,
  request: { resource: string; headers: { get(name: string): string | undefined } },
  seen: Map<string, Seen>,
): void {
  const record: Seen = {
    path: request.resource,
    header: request.headers.get('x-e2e'),
    offered: request.headers.get('sec-websocket-extensions'),
    extensions: connection.extensions,
    protocol: connection.protocol,
  }
  seen.set(request.resource, record)
  if (request.resource === '/flood') {
    flood(connection, record)
    return
  }
  connection.on('text', (event) => connection.sendText(event.data))
  connection.on('binary', (event) => connection.sendBinary(event.data))
  connection.closed.then((event) => {
    record.closed = { code: event.code, reason: event.reason, wasClean: event.wasClean }
  })
}

/** Messages and size of the flood: 32 MiB, far more than the client's buffers and the kernel's. */
export const FLOOD = { count: 256, size: 128 * 1024 }

/**
 * Sends FLOOD at once, ignoring backpressure, and records how much is still buffered 2.5 s
 * later. A client that reads takes all of it in about a second (measured: 32 MiB in 1 s from
 * Deno on a loaded machine); one that stopped reading leaves all but what the kernel's socket
 * buffers and its own small queue hold.
 */
function flood(connection: Connection, record: Seen): void {
  const payload = new Uint8Array(FLOOD.size)
  for (let i = 0; i < FLOOD.count; i++) connection.sendBinary(payload)
  setTimeout(() => {
    record.bufferedLater = connection.bufferedAmount
  }, 2500)
  connection.closed.then((event) => {
    record.closed = { code: event.code, reason: event.reason, wasClean: event.wasClean }
  })
}

/** Our ws:// and wss:// echo servers on 127.0.0.1 (permessage-deflate on, 'chat' chosen when offered). */
export async function nodeServers(): Promise<NodeServers> {
  const seen = new Map<string, Seen>()
  const handleProtocols = (offered: readonly string[]): string | undefined =>
    offered.includes('chat') ? 'chat' : undefined
  const plain = new WebSocketServer({ handleProtocols })
  plain.on('connection', (connection, request) => echo(connection, request, seen))
  const secure = new SecureWebSocketServer({ key: PEM.key, cert: PEM.cert, handleProtocols })
  secure.on('connection', (connection, request) => echo(connection, request, seen))
  const a = await plain.listen(0, '127.0.0.1')
  const b = await secure.listen(0, '127.0.0.1')
  return {
    ws: `ws://127.0.0.1:${a.port}`,
    wss: `wss://127.0.0.1:${b.port}`,
    seen,
    async close() {
      await Promise.all([plain.close(), secure.close()])
    },
  }
}

/**
 * An import map that points every @ws/* package at its sources (Deno runs TypeScript): the main
 * entry at src/index.ts, each subpath of its exports map (`@ws/proto/h2`) at src/<name>.ts.
 */
export function importMap(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ws-deno-'))
  const imports: Record<string, string> = {}
  for (const name of ['crypto', 'deflate', 'proto', 'driver', 'web']) {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', name, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>
    }
    for (const subpath of Object.keys(manifest.exports)) {
      if (subpath === './package.json') continue
      const file = subpath === '.' ? 'index' : subpath.slice(2)
      imports[`@ws/${name}${subpath.slice(1)}`] = pathToFileURL(
        join(ROOT, 'packages', name, 'src', `${file}.ts`),
      ).href
    }
  }
  const map = { imports }
  const file = join(dir, 'import-map.json')
  writeFileSync(file, JSON.stringify(map))
  return file
}

export interface RunResult {
  code: number | null
  stdout: string
  stderr: string
  /** The JSON lines the script printed, by scenario. */
  reports: Map<string, Record<string, unknown>>
}

/** Runs a command with a deadline (killed after `ms`); collects its JSON report lines. */
export function run(command: string, args: string[], cwd: string, ms = 60_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    if (!existsSync(command)) {
      reject(new Error(`${command} is not installed`))
      return
    }
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), ms)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      const reports = new Map<string, Record<string, unknown>>()
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue
        const report = JSON.parse(line) as Record<string, unknown>
        reports.set(String(report.scenario), report)
      }
      resolve({ code, stdout, stderr, reports })
    })
  })
}
