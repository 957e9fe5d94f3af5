/**
 * A CPU profile of our server echoing over HTTP/2: the server child (h2-server-process.ts) runs
 * under `node --cpu-prof` while `connections` of our WebSockets, streams of one h2c session,
 * echo 64 B binary messages with `window` in flight each for `ms` (echoes checked by type and
 * length). The profile, written when the child exits, is reduced to self time per function.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { H2SessionPool } from '../../node-h2/src/index.ts'
import { withChildren } from './child.ts'
import { binaryMessages } from './echo.ts'
import { echoClient, openOursMany } from './h2-clients.ts'
import { portFor, startH2Server } from './h2-memory.ts'
import { closeClients, type EchoClient, pipeline } from './load.ts'

export interface H2ProfileConfig {
  payloadBytes: number
  connections: number
  window: number
  ms: number
}

export const H2_PROFILE_FULL: H2ProfileConfig = { payloadBytes: 64, connections: 50, window: 16, ms: 3000 }
export const H2_PROFILE_QUICK: H2ProfileConfig = { ...H2_PROFILE_FULL, connections: 10, ms: 300 }

/** Where a function's code is: ours (a workspace package), Node's own JavaScript, or neither. */
export type CodeOwner = 'ours' | 'node' | 'other'

export interface ProfileEntry {
  /** The function's name ('(anonymous)' when it has none) or V8's: (idle), (program), (garbage collector). */
  name: string
  /** file:line, '' for V8's entries and native code. */
  location: string
  owner: CodeOwner
  /** Self time as a fraction of the samples. */
  self: number
}

export interface H2Profile extends H2ProfileConfig {
  /** Echoes during the profile. */
  messages: number
  /** Samples taken while the messages were echoed (the ones counted). */
  samples: number
  /** The functions with the most self time, most first. */
  top: ProfileEntry[]
  /** Self time per owner, and V8's idle and GC entries, as fractions of the samples. */
  shares: Record<CodeOwner | 'idle' | 'gc', number>
}

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]
  /** The microseconds of the first sample (less its delta), on the monotonic clock. */
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

/** Whose code a profile URL points to. */
export function ownerOf(url: string): CodeOwner {
  if (url.startsWith('node:')) return 'node'
  return /\/packages\/[^/]+\/(src|dist)\//.test(url) && !url.includes('/node_modules/.pnpm/')
    ? 'ours'
    : 'other'
}

/** Where a function is: the path under packages/ for ours, the module for Node's, else the file name. */
function locate(url: string, line: number): string {
  if (url === '') return ''
  const at = url.lastIndexOf('/packages/')
  const file = url.startsWith('node:')
    ? url.replace(/^node:internal\//, '')
    : at >= 0 && ownerOf(url) === 'ours'
      ? url.slice(at + '/packages/'.length)
      : basename(url)
  return `${file}:${line + 1}`
}

/**
 * Reduces a .cpuprofile to self time per function, counting the samples taken between `from` and
 * `to` (microseconds, the profile's clock): sampling is periodic, so samples measure time.
 */
export function selfTimes(
  profile: CpuProfile,
  from: number,
  to: number,
  count: number,
): Omit<H2Profile, keyof H2ProfileConfig | 'messages'> {
  const byNode = new Map<number, number>()
  let time = profile.startTime
  let total = 0
  for (const [index, id] of profile.samples.entries()) {
    time += profile.timeDeltas[index] ?? 0
    if (time < from || time > to) continue
    byNode.set(id, (byNode.get(id) ?? 0) + 1)
    total++
  }
  if (total === 0) throw new Error('h2 profile: no samples in the measured span')
  const byFunction = new Map<string, ProfileEntry>()
  const shares = { ours: 0, node: 0, other: 0, idle: 0, gc: 0 }
  for (const node of profile.nodes) {
    const hits = byNode.get(node.id)
    if (hits === undefined) continue
    const { functionName, url, lineNumber } = node.callFrame
    const name = functionName === '' ? '(anonymous)' : functionName
    const location = locate(url, lineNumber)
    const owner = ownerOf(url)
    if (name === '(idle)') shares.idle += hits / total
    else if (name === '(garbage collector)') shares.gc += hits / total
    else shares[owner] += hits / total
    const key = `${name} ${url}:${lineNumber}`
    const entry = byFunction.get(key) ?? { name, location, owner, self: 0 }
    entry.self += hits / total
    byFunction.set(key, entry)
  }
  const top = [...byFunction.values()].sort((a, b) => b.self - a.self).slice(0, count)
  return { samples: total, top, shares }
}

const markOf = (answer: Record<string, unknown>): number => {
  if (typeof answer.now !== 'number') throw new Error(`h2 profile: a bad mark ${JSON.stringify(answer)}`)
  return answer.now
}

export function profileH2Server(config: H2ProfileConfig = H2_PROFILE_FULL, count = 15): Promise<H2Profile> {
  const dir = mkdtempSync(join(tmpdir(), 'ws-bench-h2-prof-'))
  let messages = 0
  const span = { from: 0, to: 0 }
  return withChildren(async (children) => {
    const server = await startH2Server(['--cpu-prof', `--cpu-prof-dir=${dir}`])
    children.push(server)
    const pool = new H2SessionPool()
    let clients: EchoClient[] = []
    try {
      clients = (await openOursMany('h2', portFor(server, 'h2'), config.connections, pool)).map(echoClient)
      span.from = markOf(await server.request('mark'))
      const { completed } = await pipeline(clients, binaryMessages(config.payloadBytes), {
        window: config.window,
        ms: config.ms,
      })
      span.to = markOf(await server.request('mark'))
      messages = completed
    } finally {
      await closeClients(clients)
      pool.close()
    }
    // The profile is written as the child exits.
    await server.close()
    // tsx's module hooks run on a thread of their own, with a profile of its own: take the server's.
    const profiles = readdirSync(dir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile)
      .filter((profile) => profile.nodes.some((node) => node.callFrame.url.endsWith('h2-server-process.ts')))
    const profile = profiles[0]
    if (profiles.length !== 1 || profile === undefined) {
      throw new Error(`h2 profile: expected one profile of the server in ${dir}, found ${profiles.length}`)
    }
    return { ...config, messages, ...selfTimes(profile, span.from, span.to, count) }
  }).finally(() => rmSync(dir, { recursive: true, force: true }))
}
