/**
 * How many file descriptors this process may open and how many it holds, read from Linux's
 * /proc (undefined elsewhere). The scale scenario uses a server child's answer to open no more
 * connections than the server can accept: each one costs the server a descriptor.
 */
import { readdirSync, readFileSync } from 'node:fs'

export interface OpenFiles {
  /** The soft limit on open files (Node raises it to the hard limit at startup); undefined when unlimited. */
  limit: number | undefined
  /** Descriptors open now. */
  open: number | undefined
}

/** Parses the soft "Max open files" limit out of the text of /proc/PID/limits (undefined: none found, or unlimited). */
export function parseOpenFilesLimit(limits: string): number | undefined {
  const match = /^Max open files\s+(\d+)\s/m.exec(limits)
  return match ? Number(match[1]) : undefined
}

export function openFiles(): OpenFiles {
  try {
    return {
      limit: parseOpenFilesLimit(readFileSync('/proc/self/limits', 'utf8')),
      open: readdirSync('/proc/self/fd').length,
    }
  } catch {
    return { limit: undefined, open: undefined }
  }
}
