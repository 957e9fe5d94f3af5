/** The wsx command: `main()` runs it as a process, `run()` is the same with its I/O passed in. */
import type { Readable, Writable } from 'node:stream'
import { parseCommandLine } from './args.ts'
import { runBench } from './bench.ts'
import { runConnect } from './connect.ts'
import { runServe } from './serve.ts'

export interface Io {
  stdin: Readable
  stdout: Writable
  stderr: Writable
  /** Aborted on SIGINT or SIGTERM. */
  shutdown: AbortSignal
  env?: NodeJS.ProcessEnv
}

/** Runs wsx with `args` (without the node and script paths); resolves with the exit status. */
export async function run(args: readonly string[], io: Io): Promise<number> {
  const command = parseCommandLine(args)
  switch (command.kind) {
    case 'help':
      io.stdout.write(command.text)
      return 0
    case 'usage-error':
      io.stderr.write(`${command.message}\n`)
      return 2
    case 'serve':
      return runServe(command.options, io, command.settings, command.http)
    case 'connect':
      return runConnect(command.options, command.settings, io, command.network)
    case 'bench':
      return runBench(command.options, io)
  }
}

/** The process entry point, used by bin/wsx.js. */
export async function main(args: readonly string[] = process.argv.slice(2)): Promise<void> {
  const shutdown = new AbortController()
  const onSignal = (): void => shutdown.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  // `wsx connect ... | head -1`: a reader that went away is not an error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0)
    throw error
  })
  let status: number
  try {
    status = await run(args, {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      shutdown: shutdown.signal,
      env: process.env,
    })
  } catch (error) {
    process.stderr.write(
      `wsx: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    )
    status = 1
  }
  // Exit now, even with stdin still open, once everything written has been flushed.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(status)))
}
