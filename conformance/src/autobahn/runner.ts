// Runs cases against an implementation in either role over 127.0.0.1: as a client the fuzzer
// tests the implementation's server; as a server it tests the implementation's client, which
// connects to /runCase?case=<id>. Each case gets its own connection (a TCP connection over
// HTTP/1.1, a stream over HTTP/2) and is graded when it is gone. Cases run a few at a time; the
// heavy families run alone so that no timer-sensitive case shares the two cores with a 16 MiB
// echo.
import type { Behavior, BehaviorClose, Case, CaseEntry, CaseEvent } from './case.ts'
import { FuzzPeer } from './peer.ts'
import { type FuzzerTransport, type IncomingRequest, TRANSPORTS, type TransportName } from './transport.ts'

export interface Implementation {
  name: string
  /** Starts an echo server on 127.0.0.1 and an ephemeral port (h2c as well, for HTTP/2). */
  startServer(): Promise<{ port: number; stop(): Promise<void> }>
  /** Connects an echo client to `url`; resolves when its connection has ended (or failed). */
  runClient(url: string): Promise<void>
}

export type Role = 'server' | 'client'

export interface CaseResult {
  id: string
  behavior: Behavior
  behaviorClose: BehaviorClose
  remoteCloseCode: number | null
  /** Milliseconds from the case's start to its grading. */
  duration: number
  result: string
  resultClose: string
  /** What the fuzzer recorded, in short ("text 12 B", "pong 4 B", "timeout A"). */
  received: string[]
  /** A rule the implementation broke that made the fuzzer fail the connection. */
  violation?: string
}

function describe(event: CaseEvent): string {
  if (event[0] === 'timeout') return `timeout ${event[1]}`
  const bytes = typeof event[1] === 'string' ? new TextEncoder().encode(event[1]).length : event[1].length
  if (event[0] === 'message') return `${event[2] ? 'binary' : 'text'} ${bytes} B`
  return `${event[0]} ${bytes} B`
}

function watchdogSeconds(kase: Case): number {
  return Math.max(kase.timeoutSeconds, 10) + 5
}

/** Grades a peer that finished, or a case that never got going. */
async function settle(
  kase: Case,
  peer: FuzzPeer | null,
  started: number,
  setupError: Error | null,
): Promise<CaseResult> {
  let violation = peer?.violation ?? undefined
  if (setupError !== null) {
    kase.behavior = 'FAILED'
    kase.behaviorClose = 'FAILED'
    kase.result = `opening handshake failed: ${setupError.message}`
    kase.resultClose = kase.result
  } else if (peer !== null) {
    let timer: NodeJS.Timeout | undefined
    const watchdog = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), watchdogSeconds(kase) * 1000)
    })
    if ((await Promise.race([peer.finished, watchdog])) === 'timeout') {
      violation = 'the case did not finish before the runner gave up'
      peer.abort()
      await peer.finished
      kase.behavior = 'FAILED'
    }
    clearTimeout(timer)
    violation ??= peer.violation ?? undefined
  }
  const result: CaseResult = {
    id: '',
    behavior: kase.behavior,
    behaviorClose: kase.behaviorClose,
    remoteCloseCode: peer?.outcome.remoteCloseCode ?? null,
    duration: Math.round(performance.now() - started),
    result: kase.result,
    resultClose: kase.resultClose,
    received: kase.received.map(describe),
  }
  if (violation !== undefined) result.violation = violation
  return result
}

/** Runs one case against a server listening on `port`. */
async function runAgainstServer(
  entry: CaseEntry,
  port: number,
  transport: FuzzerTransport,
): Promise<CaseResult> {
  const kase = entry.create()
  const started = performance.now()
  const peer = new FuzzPeer(false, kase)
  kase.init()
  try {
    const { channel, deflate, leftover } = await transport.open(port, kase)
    peer.start(channel, deflate, leftover)
  } catch (error) {
    return { ...(await settle(kase, null, started, error as Error)), id: entry.id }
  }
  return { ...(await settle(kase, peer, started, null)), id: entry.id }
}

/** Runs `tasks` with at most `limit` at a time, keeping the results in order. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++
      results[index] = await (tasks[index] as () => Promise<T>)()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker))
  return results
}

/** How many cases of a family may run at once. */
function concurrencyFor(id: string): number {
  const family = id.split('.')[0]
  if (family === '9') return 1
  if (family === '12' || family === '13') return 2
  return 12
}

function groups(entries: readonly CaseEntry[]): CaseEntry[][] {
  const out: CaseEntry[][] = []
  for (const entry of entries) {
    const last = out[out.length - 1]
    if (last !== undefined && concurrencyFor((last[0] as CaseEntry).id) === concurrencyFor(entry.id))
      last.push(entry)
    else out.push([entry])
  }
  return out
}

export interface RunOptions {
  /** Called after each case. */
  onResult?: (result: CaseResult) => void
  /** HTTP/1.1 (the default) or HTTP/2; the implementation must speak it in the role run. */
  transport?: TransportName
}

/** The fuzzer as a client, testing `impl`'s server. */
export async function runServerRole(
  impl: Implementation,
  entries: readonly CaseEntry[],
  options: RunOptions = {},
): Promise<CaseResult[]> {
  const transport = TRANSPORTS[options.transport ?? 'h1']
  const server = await impl.startServer()
  try {
    const results: CaseResult[] = []
    for (const group of groups(entries)) {
      const tasks = group.map((entry) => async () => {
        const result = await runAgainstServer(entry, server.port, transport)
        options.onResult?.(result)
        return result
      })
      results.push(...(await pool(tasks, concurrencyFor((group[0] as CaseEntry).id))))
    }
    return results
  } finally {
    await server.stop()
  }
}

interface Pending {
  entry: CaseEntry
  started: number
  resolve: (result: CaseResult) => void
}

/** Plays the case a request asks for (by its `case` query parameter), or answers 404. */
async function serveCase(request: IncomingRequest, pending: Map<string, Pending>): Promise<void> {
  const target = /[?&]case=([^&\s#]+)/.exec(request.target)?.[1]
  const slot = target === undefined ? undefined : pending.get(decodeURIComponent(target))
  if (slot === undefined) {
    request.notFound()
    return
  }
  pending.delete(slot.entry.id)
  const kase = slot.entry.create()
  const peer = new FuzzPeer(true, kase)
  kase.init()
  try {
    const { channel, deflate, leftover } = request.accept(kase)
    peer.start(channel, deflate, leftover)
  } catch (error) {
    request.destroy()
    slot.resolve({ ...(await settle(kase, null, slot.started, error as Error)), id: slot.entry.id })
    return
  }
  slot.resolve({ ...(await settle(kase, peer, slot.started, null)), id: slot.entry.id })
}

/** The fuzzer as a server, testing `impl`'s client. */
export async function runClientRole(
  impl: Implementation,
  entries: readonly CaseEntry[],
  options: RunOptions = {},
): Promise<CaseResult[]> {
  const pending = new Map<string, Pending>()
  const server = await TRANSPORTS[options.transport ?? 'h1'].listen((request) => {
    void serveCase(request, pending)
  })
  const port = server.port
  const runOne = (entry: CaseEntry) => async (): Promise<CaseResult> => {
    const started = performance.now()
    const result = new Promise<CaseResult>((resolve) => pending.set(entry.id, { entry, started, resolve }))
    const client = impl
      .runClient(`ws://127.0.0.1:${port}/runCase?case=${entry.id}&agent=${impl.name}`)
      .catch((error: Error) => error)
    const first = await Promise.race([result, client.then(() => 'client ended' as const)])
    let outcome: CaseResult
    if (first === 'client ended' && pending.has(entry.id)) {
      // The client gave up before the fuzzer saw its request.
      pending.delete(entry.id)
      const error = await client
      outcome = {
        id: entry.id,
        behavior: 'FAILED',
        behaviorClose: 'FAILED',
        remoteCloseCode: null,
        duration: Math.round(performance.now() - started),
        result: `the client never sent its opening handshake${error instanceof Error ? `: ${error.message}` : ''}`,
        resultClose: 'no connection',
        received: [],
      }
    } else {
      outcome = first === 'client ended' ? await result : first
      // The fuzzer has closed its side; a client that does not notice is not waited for forever.
      await Promise.race([client, new Promise((resolve) => setTimeout(resolve, 5000).unref())])
    }
    options.onResult?.(outcome)
    return outcome
  }
  try {
    const results: CaseResult[] = []
    for (const group of groups(entries)) {
      results.push(...(await pool(group.map(runOne), concurrencyFor((group[0] as CaseEntry).id))))
    }
    return results
  } finally {
    await server.close()
  }
}
