/** More helpers for the end-to-end tests of the newer flags (harness.ts has the basics). */
import { spawn, spawnSync } from 'node:child_process'
import type { IncomingMessage } from 'node:http'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { type Connection, type ServerOptions, WebSocketServer } from '@ws/node-tcp'
import { packageDir, quietEnv, rootDir, type Wsx, within } from './harness.ts'

/** Waits until `read()` matches `pattern` (stderr of a Wsx, say). */
export async function waitUntil(
  read: () => string,
  pattern: RegExp,
  what: string,
  timeout = 10_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeout
  for (;;) {
    const match = read().match(pattern)
    if (match) return match
    if (Date.now() > deadline) throw new Error(`no ${pattern} in ${what}:\n${read()}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export const stderrOf =
  (wsx: Wsx): (() => string) =>
  () =>
    wsx.stderr

/** Runs wsx from source with bytes on stdin and stdout kept as bytes. */
export function runRaw(
  args: string[],
  input: Uint8Array,
  /** Ends stdin only once stdout satisfies this (by default at once, after the input). */
  endWhen: (stdout: Buffer) => boolean = () => true,
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(packageDir, 'test', 'wsx-source.ts'), ...args],
    {
      cwd: packageDir,
      env: quietEnv(),
    },
  )
  const out: Buffer[] = []
  let stderr = ''
  let ended = false
  const maybeEnd = (): void => {
    if (!ended && endWhen(Buffer.concat(out))) {
      ended = true
      child.stdin.end()
    }
  }
  child.stdout.on('data', (chunk: Buffer) => {
    out.push(chunk)
    maybeEnd()
  })
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text
  })
  child.stdin.write(input)
  maybeEnd()
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  return within(
    new Promise((resolve) => {
      child.once('close', (code) => {
        clearTimeout(timer)
        resolve({ code, stdout: Buffer.concat(out), stderr })
      })
    }),
    25_000,
    `wsx ${args.join(' ')}`,
  )
}

const servers = new Set<{ close(): Promise<void> }>()

/** Closes every server testServer started (for a suite's `after.each`, after a failed test). */
export async function closeServers(): Promise<void> {
  const open = [...servers]
  servers.clear()
  await Promise.all(
    open.map((server) => within(server.close(), 10_000, 'a test server to close').catch(() => {})),
  )
}

/** A @ws/node-tcp server on an ephemeral port whose connections run `handler`; see closeServers. */
export async function testServer(
  handler: (connection: Connection, request: import('@ws/proto').UpgradeRequest) => void,
  options: ServerOptions = {},
): Promise<{ url: string; port: number; server: WebSocketServer }> {
  const server = new WebSocketServer(options)
  servers.add(server)
  server.on('connection', handler)
  const { port } = await server.listen(0, '127.0.0.1')
  return { url: `ws://127.0.0.1:${port}/`, port, server }
}

/** The parts of ws 8 these tests use (ws ships no types of its own). */
export interface WsSocket {
  send(data: unknown, options?: { binary?: boolean }): void
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void
  on(event: 'close', listener: (code: number, reason: Buffer) => void): void
  close(code?: number, reason?: string): void
  readonly protocol: string
}
export interface WsServer {
  on(event: 'connection', listener: (socket: WsSocket, request: IncomingMessage) => void): void
  on(event: 'listening', listener: () => void): void
  address(): { port: number }
  close(callback?: () => void): void
  readonly clients: Set<WsSocket>
}
export interface WsModule {
  WebSocketServer: new (options: Record<string, unknown>) => WsServer
}

/**
 * ws 8, the reference Node implementation. It is a dev dependency of this package; until the
 * next `pnpm install` links it here, the copy installed for @ws/bench is used.
 */
export function loadWs(): WsModule {
  for (const from of [join(packageDir, 'package.json'), join(rootDir, 'packages', 'bench', 'package.json')]) {
    try {
      return createRequire(from)('ws') as WsModule
    } catch {
      // Try the next place.
    }
  }
  throw new Error('ws is not installed')
}

/** A ws echo server on an ephemeral port that counts what it receives. */
export async function wsEchoServer(): Promise<{
  url: string
  received: { messages: number; bytes: number }
  close: () => Promise<void>
}> {
  const { WebSocketServer: Server } = loadWs()
  const server = new Server({ port: 0, host: '127.0.0.1', perMessageDeflate: true })
  await new Promise<void>((resolve) => server.on('listening', resolve))
  const received = { messages: 0, bytes: 0 }
  server.on('connection', (socket) => {
    socket.on('message', (data, isBinary) => {
      received.messages++
      received.bytes += data.length
      socket.send(isBinary ? data : data.toString('utf8'), { binary: isBinary })
    })
  })
  return {
    url: `ws://127.0.0.1:${server.address().port}/`,
    received,
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.close(1001)
        server.close(() => resolve())
      }),
  }
}

/** Debian's python3 with python3-websockets, or a reason why not. */
export function pythonWebsockets(): { python: string } | { skip: string } {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const result = spawnSync(python, ['-c', 'import websockets'], { encoding: 'utf8' })
    if (result.status === 0) return { python }
  }
  return { skip: "python3 -c 'import websockets' fails: install Debian's python3-websockets" }
}
