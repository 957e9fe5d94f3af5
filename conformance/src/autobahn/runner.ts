// Runs cases against an implementation in either role over 127.0.0.1: as a client the fuzzer
// tests the implementation's server; as a server it tests the implementation's client, which
// connects to /runCase?case=<id>. Each case gets its own TCP connection and is graded when it
// is gone. Cases run a few at a time; the heavy families run alone so that no timer-sensitive
// case shares the two cores with a 16 MiB echo.
import { randomBytes } from 'node:crypto'
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net'
import type {
  Behavior,
  BehaviorClose,
  Case,
  CaseEntry,
  CaseEvent,
  DeflateAccept,
  DeflateOffer,
  ParsedOffer,
} from './case.ts'
import { type DeflateSettings, FuzzPeer } from './peer.ts'
import { acceptFor, concat, type HttpHead, parseExtensionsHeader, readHttpHead } from './wire.ts'

export interface Implementation {
  name: string
  /** Starts an echo server on 127.0.0.1 and an ephemeral port. */
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

const HANDSHAKE_TIMEOUT_MS = 5000

/** Reads an HTTP head from a socket; resolves with it and the bytes after it. */
function readHead(socket: Socket): Promise<{ head: HttpHead; rest: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    const timer = setTimeout(() => finish(new Error('no HTTP head in time')), HANDSHAKE_TIMEOUT_MS)
    const finish = (error: Error | null, value?: { head: HttpHead; rest: Uint8Array }) => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('close', onClose)
      socket.off('error', onError)
      if (error !== null) reject(error)
      else resolve(value as { head: HttpHead; rest: Uint8Array })
    }
    const onData = (chunk: Buffer) => {
      chunks.push(chunk)
      try {
        const found = readHttpHead(chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks))
        if (found !== null) finish(null, found)
      } catch (error) {
        finish(error as Error)
      }
    }
    const onClose = () => finish(new Error('connection closed during the handshake'))
    const onError = (error: Error) => finish(error)
    socket.on('data', onData)
    socket.on('close', onClose)
    socket.on('error', onError)
  })
}

function offerString(offer: DeflateOffer): string {
  let text = 'permessage-deflate'
  if (offer.acceptNoContextTakeover) text += '; client_no_context_takeover'
  if (offer.acceptMaxWindowBits) text += '; client_max_window_bits'
  if (offer.requestNoContextTakeover) text += '; server_no_context_takeover'
  if (offer.requestMaxWindowBits !== 0) text += `; server_max_window_bits=${offer.requestMaxWindowBits}`
  return text
}

function windowBits(value: string | true | undefined): number {
  if (value === undefined || value === true) return 15
  const bits = Number(value)
  if (!Number.isInteger(bits) || bits < 8 || bits > 15) throw new Error(`window bits ${value}`)
  return bits
}

/** The fuzzer as a client: opening handshake against the implementation's server. */
async function clientHandshake(socket: Socket, port: number, kase: Case) {
  const key = randomBytes(16).toString('base64')
  const lines = [
    'GET /runCase HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
  ]
  if (kase.deflateOffers.length > 0) {
    lines.push(`Sec-WebSocket-Extensions: ${kase.deflateOffers.map(offerString).join(', ')}`)
  }
  socket.write(`${lines.join('\r\n')}\r\n\r\n`)
  const { head, rest } = await readHead(socket)
  if (!/^HTTP\/1\.1 101 /.test(head.startLine)) throw new Error(`handshake answered ${head.startLine}`)
  if (head.headers.get('sec-websocket-accept') !== acceptFor(key))
    throw new Error('wrong Sec-WebSocket-Accept')
  if (head.headers.get('upgrade')?.toLowerCase() !== 'websocket') throw new Error('no Upgrade: websocket')
  let deflate: DeflateSettings | null = null
  const extensions = parseExtensionsHeader(head.headers.get('sec-websocket-extensions') ?? '')
  if (extensions.length > 1 || (extensions.length === 1 && kase.deflateOffers.length === 0)) {
    throw new Error('extensions in the response that were not offered')
  }
  const agreed = extensions[0]
  if (agreed !== undefined) {
    if (agreed.name !== 'permessage-deflate') throw new Error(`unoffered extension ${agreed.name}`)
    deflate = {
      sendWindowBits: windowBits(agreed.params.get('client_max_window_bits')),
      sendNoContextTakeover: agreed.params.has('client_no_context_takeover'),
      receiveWindowBits: windowBits(agreed.params.get('server_max_window_bits')),
      receiveNoContextTakeover: agreed.params.has('server_no_context_takeover'),
    }
  }
  return { deflate, rest }
}

/** A client's permessage-deflate offer as Autobahn 0.10.9 parses it; null when it refuses it. */
function parseOffer(params: Map<string, string | true>): ParsedOffer | null {
  const offer: ParsedOffer = {
    acceptNoContextTakeover: true,
    acceptMaxWindowBits: false,
    requestNoContextTakeover: false,
    requestMaxWindowBits: 0,
  }
  for (const [name, value] of params) {
    if (name === 'client_max_window_bits') {
      if (value !== true) windowBits(value)
      offer.acceptMaxWindowBits = true
    } else if (name === 'client_no_context_takeover') {
      if (value !== true) return null
    } else if (name === 'server_max_window_bits') {
      if (value === true) return null
      offer.requestMaxWindowBits = windowBits(value)
    } else if (name === 'server_no_context_takeover') {
      if (value !== true) return null
      offer.requestNoContextTakeover = true
    } else {
      return null
    }
  }
  return offer
}

function acceptString(accept: DeflateAccept): string {
  let text = 'permessage-deflate'
  if (accept.offer.requestNoContextTakeover) text += '; server_no_context_takeover'
  if (accept.offer.requestMaxWindowBits !== 0)
    text += `; server_max_window_bits=${accept.offer.requestMaxWindowBits}`
  if (accept.requestNoContextTakeover) text += '; client_no_context_takeover'
  if (accept.requestMaxWindowBits !== 0) text += `; client_max_window_bits=${accept.requestMaxWindowBits}`
  return text
}

/** The fuzzer as a server: answers the implementation's client for `kase`. */
function serverHandshake(socket: Socket, head: HttpHead, kase: Case): DeflateSettings | null {
  const key = head.headers.get('sec-websocket-key')
  if (key === undefined || !/^GET /.test(head.startLine)) throw new Error('not a WebSocket request')
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptFor(key)}`,
  ]
  let deflate: DeflateSettings | null = null
  if (kase.deflateAccept !== null) {
    const offers: ParsedOffer[] = []
    for (const item of parseExtensionsHeader(head.headers.get('sec-websocket-extensions') ?? '')) {
      if (item.name !== 'permessage-deflate') continue
      const offer = parseOffer(item.params)
      if (offer !== null) offers.push(offer)
    }
    const accept = kase.deflateAccept(offers)
    if (accept !== null) {
      lines.push(`Sec-WebSocket-Extensions: ${acceptString(accept)}`)
      deflate = {
        sendWindowBits: accept.offer.requestMaxWindowBits || 15,
        sendNoContextTakeover: accept.offer.requestNoContextTakeover,
        receiveWindowBits: accept.requestMaxWindowBits || 15,
        receiveNoContextTakeover: accept.requestNoContextTakeover,
      }
    }
  }
  socket.write(`${lines.join('\r\n')}\r\n\r\n`)
  return deflate
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
async function runAgainstServer(entry: CaseEntry, port: number): Promise<CaseResult> {
  const kase = entry.create()
  const started = performance.now()
  const socket = netConnect({ host: '127.0.0.1', port })
  socket.on('error', () => {})
  const peer = new FuzzPeer(socket, false, kase)
  kase.init()
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
    })
    const { deflate, rest } = await clientHandshake(socket, port, kase)
    peer.start(deflate, rest)
  } catch (error) {
    socket.destroy()
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
}

/** The fuzzer as a client, testing `impl`'s server. */
export async function runServerRole(
  impl: Implementation,
  entries: readonly CaseEntry[],
  options: RunOptions = {},
): Promise<CaseResult[]> {
  const server = await impl.startServer()
  try {
    const results: CaseResult[] = []
    for (const group of groups(entries)) {
      const tasks = group.map((entry) => async () => {
        const result = await runAgainstServer(entry, server.port)
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

/** The fuzzer as a server, testing `impl`'s client. */
export async function runClientRole(
  impl: Implementation,
  entries: readonly CaseEntry[],
  options: RunOptions = {},
): Promise<CaseResult[]> {
  const pending = new Map<string, Pending>()
  const server: Server = createServer((socket) => {
    socket.on('error', () => {})
    void (async () => {
      let head: HttpHead
      let rest: Uint8Array
      try {
        ;({ head, rest } = await readHead(socket))
      } catch {
        socket.destroy()
        return
      }
      const target = /[?&]case=([^&\s]+)/.exec(head.startLine)?.[1]
      const slot = target === undefined ? undefined : pending.get(decodeURIComponent(target))
      if (slot === undefined) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
        return
      }
      pending.delete(slot.entry.id)
      const kase = slot.entry.create()
      const peer = new FuzzPeer(socket, true, kase)
      kase.init()
      let deflate: DeflateSettings | null
      try {
        deflate = serverHandshake(socket, head, kase)
      } catch (error) {
        socket.destroy()
        slot.resolve({ ...(await settle(kase, null, slot.started, error as Error)), id: slot.entry.id })
        return
      }
      peer.start(deflate, rest)
      slot.resolve({ ...(await settle(kase, peer, slot.started, null)), id: slot.entry.id })
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
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
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
