/**
 * `wsx serve` as its users run it: the built command (packages/cli/bin/wsx.js, which `pnpm
 * bench` builds first) in a child process, `wsx serve --no-deflate --port 0`, its port read from
 * the `listening on ws://127.0.0.1:PORT` line it prints. It stops on SIGTERM (closing its
 * connections with 1001) and exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

export const WSX_BIN = join(import.meta.dirname, '..', '..', 'cli', 'bin', 'wsx.js')

export interface WsxServer {
  port: number
  readonly process: ChildProcess
  /** SIGTERM, then SIGKILL after `ms`; resolves with the exit code (null when killed). Safe to call twice. */
  close(ms?: number): Promise<number | null>
}

export function startWsxServe(
  args: readonly string[] = ['--no-deflate', '--port', '0'],
  timeoutMs = 30_000,
): Promise<WsxServer> {
  const child = spawn(process.execPath, [WSX_BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000)
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const close = async (ms = 5000): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), ms)
      const code = await exited
      clearTimeout(timer)
      return code
    }
    return child.exitCode
  }
  return new Promise((resolve, reject) => {
    let settled = false
    const fail = (message: string): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`wsx serve: ${message} ${stderr.trim()}`))
    }
    const timer = setTimeout(() => fail(`printed no listening line within ${timeoutMs} ms`), timeoutMs)
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before listening`))
    createInterface({ input: child.stdout }).once('line', (line) => {
      const match = /^listening on ws:\/\/127\.0\.0\.1:(\d+)$/.exec(line)
      if (!match) return fail(`printed '${line}' instead of its listening line`)
      settled = true
      clearTimeout(timer)
      resolve({ port: Number(match[1]), process: child, close })
    })
  })
}
