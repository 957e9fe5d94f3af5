/**
 * Child processes for the scenarios that must not share a process with what they measure: a
 * server under test (the load generator stays in the parent), a memory measurement, or ws
 * loaded without its bufferutil add-on. The child runs a TypeScript file with `node --import
 * tsx`, answers one JSON line on stdout per command line on stdin, and exits when told to or
 * when its stdin ends (so it never outlives a parent that died).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface ChildHandle {
  /** The first JSON line the child printed (its greeting, e.g. the port it listens on). */
  readonly hello: Record<string, unknown>
  /** Sends one command line and resolves with the child's next JSON line. */
  request(command: string): Promise<Record<string, unknown>>
  /** Asks the child to exit; kills it if it has not within `ms`. Safe to call more than once. */
  close(ms?: number): Promise<void>
  readonly process: ChildProcess
}

/** Starts `script` (a .ts file) in a child Node process and waits for its first JSON line. */
export function spawnChild(
  script: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; execArgv?: readonly string[]; timeoutMs?: number } = {},
): Promise<ChildHandle> {
  const child = spawn(process.execPath, [...(options.execArgv ?? []), '--import', 'tsx', script, ...args], {
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (text: string) => {
    stderr = (stderr + text).slice(-4000)
  })
  const waiting: { resolve(value: Record<string, unknown>): void; reject(error: Error): void }[] = []
  let exited: Error | undefined
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = new Error(`child ${script} exited (${code ?? signal}) ${stderr.trim()}`)
      for (const waiter of waiting.splice(0)) waiter.reject(exited)
      resolve()
    })
  })
  child.once('error', (error) => {
    for (const waiter of waiting.splice(0)) waiter.reject(error)
  })
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const waiter = waiting.shift()
    if (!waiter) return
    try {
      waiter.resolve(JSON.parse(line) as Record<string, unknown>)
    } catch {
      waiter.reject(new Error(`child ${script} printed a line that is not JSON: ${line}`))
    }
  })
  const next = (): Promise<Record<string, unknown>> =>
    exited
      ? Promise.reject(exited)
      : new Promise((resolve, reject) => {
          waiting.push({ resolve, reject })
        })
  const close = async (ms = 5000): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), ms)
      await exit
      clearTimeout(timer)
    }
  }
  const timeoutMs = options.timeoutMs ?? 30000
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`child ${script} did not start within ${timeoutMs} ms`))
    }, timeoutMs)
    next().then(
      (hello) => {
        clearTimeout(timer)
        resolve({
          hello,
          process: child,
          close,
          request(command) {
            const answer = next()
            child.stdin?.write(`${command}\n`)
            return answer
          },
        })
      },
      (error: Error) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/** Runs `body` with the children it starts and always closes them, even when `body` throws. */
export async function withChildren<T>(body: (started: ChildHandle[]) => Promise<T>): Promise<T> {
  const started: ChildHandle[] = []
  try {
    return await body(started)
  } finally {
    await Promise.all(started.map((child) => child.close()))
  }
}

/** Reads command lines from stdin for a child script; `handle` answers each with a JSON value. */
export function serveCommands(handle: (command: string) => unknown | Promise<unknown>): void {
  const lines = createInterface({ input: process.stdin })
  let queue = Promise.resolve()
  lines.on('line', (line) => {
    if (line.trim() === '') return
    queue = queue.then(async () => {
      process.stdout.write(`${JSON.stringify(await handle(line.trim()))}\n`)
    })
  })
  lines.on('close', () => {
    void queue.then(() => process.exit(0))
  })
}
