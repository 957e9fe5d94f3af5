/**
 * Runs wsx as a subprocess for the end-to-end tests. Every process gets a hard deadline after
 * which it is killed, so a hung test fails instead of hanging the run.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')
export const rootDir = join(packageDir, '..', '..')
export const fixtures = join(rootDir, 'packages', 'node-tls', 'test', 'fixtures')

/** How long any one wsx process may live. */
const DEADLINE = 20_000

const running = new Set<Wsx>()

/** Kills every wsx process still running (for a suite's `after` hook, after a failed test). */
export function killAll(): void {
  for (const wsx of running) wsx.kill()
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export class Wsx {
  readonly child: ChildProcessWithoutNullStreams
  stdout = ''
  stderr = ''
  readonly exited: Promise<Exit>
  readonly #timer: NodeJS.Timeout

  /** `how`: 'source' runs src/ through tsx (for coverage), 'bin' the built node_modules/.bin/wsx at the root. */
  constructor(args: string[], how: 'source' | 'bin' = 'source', env: Record<string, string> = {}) {
    const [command, prefix] =
      how === 'bin'
        ? [join(rootDir, 'node_modules', '.bin', 'wsx'), []]
        : [process.execPath, ['--import', 'tsx', join(packageDir, 'test', 'wsx-source.ts')]]
    this.child = spawn(command, [...prefix, ...args], {
      cwd: packageDir,
      stdio: 'pipe',
      env: { ...quietEnv(), ...env },
    })
    this.child.stdout.setEncoding('utf8').on('data', (text: string) => {
      this.stdout += text
    })
    this.child.stderr.setEncoding('utf8').on('data', (text: string) => {
      this.stderr += text
    })
    // A write to a wsx that already exited (EPIPE) must fail the test that made it, not crash the run.
    this.child.stdin.on('error', () => {})
    this.#timer = setTimeout(() => this.child.kill('SIGKILL'), DEADLINE)
    running.add(this)
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        clearTimeout(this.#timer)
        running.delete(this)
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr })
      })
    })
  }

  /** Waits until stdout has a line matching `pattern`; rejects if the process exits or time runs out first. */
  async waitFor(pattern: RegExp, timeout = 10_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeout
    for (;;) {
      const match = this.stdout.match(pattern)
      if (match) return match
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        throw new Error(`no ${pattern} in stdout:\n${this.stdout}\nstderr:\n${this.stderr}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }

  /** Writes to stdin and optionally ends it. */
  input(text: string | Uint8Array, end = true): this {
    this.child.stdin.write(text)
    if (end) this.child.stdin.end()
    return this
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
  }
}

/** Starts `wsx serve ARGS --port 0` and resolves with it and the URL from its `listening on` line. */
export async function startServe(args: string[] = []): Promise<{ server: Wsx; url: string; port: number }> {
  const server = new Wsx(['serve', '--port', '0', ...args])
  const match = await server.waitFor(/^listening on (wss?:\/\/127\.0\.0\.1:(\d+))\n/m)
  return { server, url: `${match[1]}/`, port: Number(match[2]) }
}

/** Runs `wsx ARGS` with `input` on stdin to completion. */
export function runWsx(args: string[], input = '', how: 'source' | 'bin' = 'source'): Promise<Exit> {
  const wsx = new Wsx(args, how)
  wsx.input(input)
  return wsx.exited
}

/**
 * The environment without NO_COLOR and FORCE_COLOR: with both set (as scripts/check.mjs does)
 * Node prints a warning on stderr, and the tests check stderr to the byte. Without the proxy
 * variables either (wsx connect reads them), so that tests reach 127.0.0.1 directly unless a
 * test sets them.
 */
export function quietEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env.NO_COLOR
  delete env.FORCE_COLOR
  for (const name of Object.keys(env)) {
    if (/^(https?|all|no)_proxy$/i.test(name)) delete env[name]
  }
  return env
}

/** A TCP port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  server.close()
  await once(server, 'close')
  return port
}

/** Rejects after `ms` unless `promise` settles first. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)
    }),
  ])
}
