import { readFile } from 'node:fs/promises'
import type { Writable } from 'node:stream'
import { describeSystemError } from './format.ts'

/**
 * Reads the file a command-line option names (`--ca`, `--tls-cert`...). On failure, writes the
 * one line that says why to `stderr` and returns null (the command then exits 1).
 */
export async function readOptionFile(option: string, path: string, stderr: Writable): Promise<Buffer | null> {
  try {
    return await readFile(path)
  } catch (error) {
    stderr.write(`${describeSystemError(`cannot read ${option} ${path}`, error)}\n`)
    return null
  }
}
