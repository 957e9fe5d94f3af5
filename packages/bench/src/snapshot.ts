/**
 * One memory reading of a child process (a server under test, or a process of idle clients):
 * taken after two garbage collections when Node runs with --expose-gc, with the number of
 * connections the process holds open at that moment.
 */

export interface MemorySnapshot {
  rss: number
  heapUsed: number
  external: number
  arrayBuffers: number
  connections: number
}

/** Reads this process's memory (after global.gc twice, when exposed). */
export function memorySnapshot(connections: number): MemorySnapshot {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc) {
    gc()
    gc()
  }
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage()
  return { rss, heapUsed, external, arrayBuffers, connections }
}

/** Checks a reading a child sent back (as JSON) and returns it typed. */
export function readSnapshot(value: Record<string, unknown>): MemorySnapshot {
  for (const key of ['rss', 'heapUsed', 'external', 'arrayBuffers', 'connections']) {
    if (typeof value[key] !== 'number') throw new Error(`memory: a bad reading ${JSON.stringify(value)}`)
  }
  return value as unknown as MemorySnapshot
}
