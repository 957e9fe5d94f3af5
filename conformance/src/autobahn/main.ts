// `pnpm conformance [--full] [--messages N] [--cases 1.*,9.1.6] [--agent ours|ws|all] [--role server|client|both] [--transport h1|h2|both] [--no-write] [--out DIR]`
//
// Runs the suite and, for a complete run (every case, both agents, both roles, HTTP/1.1 among
// the transports), writes docs/conformance.md and docs/conformance.json. Exits 1 when our stack
// has a case that is not OK (INFORMATIONAL aside) or when ws does not reproduce its published
// score. Over HTTP/2 (RFC 8441) only ours runs: ws does not speak WebSockets over HTTP/2.
import { writeFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { allCases, FULL_MESSAGES, selected } from './registry.ts'
import { type AgentRun, notOk, toJson, toMarkdown } from './report.ts'
import { type CaseResult, type Implementation, type Role, runClientRole, runServerRole } from './runner.ts'
import { ours, oursH2, ws } from './targets.ts'
import type { TransportName } from './transport.ts'

export interface Options {
  messages: number
  cases: string[]
  agents: ('ours' | 'ws')[]
  roles: Role[]
  /** HTTP/1.1 (h1, the default), HTTP/2 (h2), or both. */
  transports: TransportName[]
  write: boolean
  /** Where the report goes; a partial run writes one only when this is given. */
  out: string | null
}

export function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    messages: 100,
    cases: [],
    agents: ['ours', 'ws'],
    roles: ['server', 'client'],
    transports: ['h1'],
    write: true,
    out: null,
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const value = () => {
      const next = argv[++i]
      if (next === undefined) throw new Error(`${arg} needs a value`)
      return next
    }
    if (arg === '--full') options.messages = FULL_MESSAGES
    else if (arg === '--messages') {
      options.messages = Number(value())
      if (!Number.isInteger(options.messages) || options.messages < 1)
        throw new Error('--messages must be a positive integer')
    } else if (arg === '--cases') options.cases = value().split(',').filter(Boolean)
    else if (arg === '--agent') {
      const agent = value()
      if (agent === 'all') options.agents = ['ours', 'ws']
      else if (agent === 'ours' || agent === 'ws') options.agents = [agent]
      else throw new Error(`unknown agent ${agent}`)
    } else if (arg === '--role') {
      const role = value()
      if (role === 'both') options.roles = ['server', 'client']
      else if (role === 'server' || role === 'client') options.roles = [role]
      else throw new Error(`unknown role ${role}`)
    } else if (arg === '--transport') {
      const transport = value()
      if (transport === 'both') options.transports = ['h1', 'h2']
      else if (transport === 'h1' || transport === 'h2') options.transports = [transport]
      else throw new Error(`unknown transport ${transport} (h1, h2 or both)`)
    } else if (arg === '--no-write') options.write = false
    else if (arg === '--out') options.out = value()
    else throw new Error(`unknown argument ${arg}`)
  }
  if (!options.transports.includes('h1') && !options.agents.includes('ours'))
    throw new Error('ws does not speak WebSockets over HTTP/2: nothing to run')
  return options
}

/** ws's published result (8.18.3, both roles): everything OK but these. */
export const WS_PUBLISHED = {
  nonStrict: ['6.4.1', '6.4.2', '6.4.3', '6.4.4'],
  informational: ['7.1.6', '7.13.1', '7.13.2'],
}

/** Where a complete run of ws differs from its published score; empty when it reproduces it. */
export function calibrationGaps(results: readonly CaseResult[]): string[] {
  const gaps: string[] = []
  for (const r of results) {
    const expected = WS_PUBLISHED.nonStrict.includes(r.id)
      ? 'NON-STRICT'
      : WS_PUBLISHED.informational.includes(r.id)
        ? 'INFORMATIONAL'
        : 'OK'
    const close = expected === 'INFORMATIONAL' ? 'INFORMATIONAL' : 'OK'
    if (r.behavior !== expected || r.behaviorClose !== close) {
      gaps.push(`${r.id}: ${r.behavior}/${r.behaviorClose}, published ${expected}/${close}`)
    }
  }
  if (results.length !== 517) gaps.push(`${results.length} cases, published 517`)
  return gaps
}

/** Our cases that are not OK (informational ones aside). */
export function ourFailures(results: readonly CaseResult[]): CaseResult[] {
  return results.filter(notOk)
}

const SETUP = {
  ours: '`@ws/node-tcp` with its defaults (permessage-deflate accepted and offered, 16 MiB message and frame limits).',
  oursH2:
    '`@ws/node-h2` with its defaults: `H2WebSocketServer` listening in cleartext (h2c, prior knowledge), and `connect(url, { requireHttp2: true })`, which shares one session per origin (permessage-deflate accepted and offered, 16 MiB message and frame limits).',
  ws: 'ws 8.23.0 with permessage-deflate enabled on its server (its client offers it by default) and the fragment and buffered-chunk caps that 8.21 added turned off (`maxFragments: 0, maxBufferedChunks: 0`), as they were in 8.18.3, the version of its published report. With its 8.23 defaults (16,384 fragments per message) it fails 9.3.1 and 9.4.1 (65,536 fragments) with 1008.',
}

/** Runs one agent in one role over one transport, printing its tally. */
async function runOne(
  impl: Implementation,
  role: Role,
  transport: TransportName,
  entries: ReturnType<typeof allCases>,
): Promise<CaseResult[]> {
  const started = performance.now()
  process.stdout.write(
    `${impl.name} ${role}${transport === 'h2' ? ' over HTTP/2' : ''}: ${entries.length} cases `,
  )
  let done = 0
  const run = role === 'server' ? runServerRole : runClientRole
  const results = await run(impl, entries, {
    transport,
    onResult: () => {
      if (++done % 50 === 0) process.stdout.write('.')
    },
  })
  const counts = new Map<string, number>()
  for (const r of results) counts.set(r.behavior, (counts.get(r.behavior) ?? 0) + 1)
  console.log(
    ` ${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  )
  return results
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  const entries = allCases(options.messages).filter((entry) => selected(entry.id, options.cases))
  const complete =
    options.cases.length === 0 &&
    options.agents.length === 2 &&
    options.roles.length === 2 &&
    options.transports.includes('h1')
  const started = performance.now()
  const runs: AgentRun[] = []
  const impls: Record<TransportName, Partial<Record<'ours' | 'ws', Implementation>>> = {
    h1: { ours, ws },
    h2: { ours: oursH2 },
  }
  for (const transport of options.transports) {
    for (const agent of options.agents) {
      const impl = impls[transport][agent]
      if (impl === undefined) {
        console.log(`${agent}: no WebSockets over HTTP/2, skipped`)
        continue
      }
      for (const role of options.roles) {
        const results = await runOne(impl, role, transport, entries)
        runs.push({
          agent,
          setup: transport === 'h2' ? SETUP.oursH2 : SETUP[agent],
          role,
          transport,
          results,
        })
      }
    }
  }
  let failed = false
  for (const run of runs) {
    const name = `${run.agent} ${run.role}${run.transport === 'h2' ? ' over HTTP/2' : ''}`
    if (run.agent === 'ours') {
      for (const r of ourFailures(run.results)) {
        failed = true
        console.log(`${name} ${r.id}: ${r.behavior}/${r.behaviorClose}: ${r.result} ${r.violation ?? ''}`)
      }
    } else if (options.cases.length === 0) {
      const gaps = calibrationGaps(run.results)
      for (const gap of gaps) console.log(`${name} does not reproduce its published score: ${gap}`)
      if (gaps.length > 0) failed = true
      else console.log(`${name} reproduces its published score (510 OK, 4 NON-STRICT, 3 INFORMATIONAL)`)
    }
  }
  if (options.write && (complete || options.out !== null)) {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
    const out = options.out ?? join(root, 'docs')
    const info = {
      command: `pnpm conformance${options.messages === FULL_MESSAGES ? ' --full' : options.messages === 100 ? '' : ` --messages ${options.messages}`}${options.transports.length === 2 ? ' --transport both' : options.transports[0] === 'h2' ? ' --transport h2' : ''}`,
      date: new Date().toISOString().slice(0, 10),
      node: process.versions.node,
      machine: `${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown CPU'}`,
      messages: options.messages,
      seconds: (performance.now() - started) / 1000,
    }
    writeFileSync(join(out, 'conformance.md'), toMarkdown(runs, info))
    writeFileSync(join(out, 'conformance.json'), toJson(runs, info))
    console.log(`wrote conformance.md and conformance.json in ${out}`)
  }
  process.exitCode = failed ? 1 : 0
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 2
  })
}
