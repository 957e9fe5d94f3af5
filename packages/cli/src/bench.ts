/**
 * `wsx bench URL`: a load generator for echo servers. The connections are spread over worker
 * threads (one per core by default) so that the client is not what limits the numbers; this
 * thread only starts them, shows a live progress line on a terminal and adds up the results.
 */
import type { Writable } from 'node:stream'
import { Worker } from 'node:worker_threads'
import type { BenchOptions } from './args.ts'
import type { LoadPlan, LoadResult } from './bench-load.ts'
import type { FromWorker } from './bench-worker.ts'
import { Histogram } from './histogram.ts'
import { readOptionFile } from './option-file.ts'

export interface BenchIo {
  stdout: Writable
  stderr: Writable
  shutdown?: AbortSignal
}

export interface BenchSummary {
  url: string
  connections: number
  connected: number
  threads: number
  inFlight: number
  size: number
  binary: boolean
  seconds: number
  messages: number
  messagesPerSecond: number
  bytesPerSecond: number
  latencyMs: { p50: number; p90: number; p99: number; max: number }
  sent: number
  received: number
  errors: number
  closes: Record<string, number>
}

/**
 * A worker thread running bench-worker: the built .js next to main.js, or, when wsx runs from its
 * TypeScript sources (the tests, under tsx), the .ts file with tsx registered in the worker too
 * (a worker does not inherit the --import tsx of the main thread).
 */
function startWorker(plan: LoadPlan): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./bench-worker.js', import.meta.url), { workerData: plan })
  }
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  const source = JSON.stringify(new URL('./bench-worker.ts', import.meta.url).href)
  const code = `import(${tsx}).then((api) => { api.register(); return import(${source}) })`
  return new Worker(code, { eval: true, workerData: plan })
}

export async function runBench(options: BenchOptions, io: BenchIo): Promise<number> {
  let ca: Uint8Array | undefined
  if (options.ca !== undefined) {
    const read = await readOptionFile('--ca', options.ca, io.stderr)
    if (read === null) return 1
    ca = read
  }
  const workers: { worker: Worker; progress: { messages: number; bytes: number; errors: number } }[] = []
  const results: Promise<LoadResult>[] = []
  const ready: Promise<void>[] = []
  let first = 0
  for (let t = 0; t < options.threads; t++) {
    const share =
      Math.floor(options.connections / options.threads) + (t < options.connections % options.threads ? 1 : 0)
    const plan: LoadPlan = {
      url: options.url.href,
      first,
      connections: share,
      inFlight: options.inFlight,
      size: options.size,
      binary: options.binary,
      deflate: options.deflate,
      ca,
      insecure: options.insecure,
    }
    first += share
    const worker = startWorker(plan)
    const entry = { worker, progress: { messages: 0, bytes: 0, errors: 0 } }
    workers.push(entry)
    ready.push(
      new Promise((resolve, reject) => {
        worker.on('message', (message: FromWorker) => {
          if (message.type === 'ready') resolve()
          else if (message.type === 'progress') entry.progress = message
        })
        worker.once('error', reject)
        worker.once('exit', (code) => reject(new Error(`a bench thread exited with ${code} before starting`)))
      }),
    )
    results.push(
      new Promise((resolve, reject) => {
        worker.on('message', (message: FromWorker) => {
          if (message.type === 'done') resolve(message.result)
        })
        worker.once('error', reject)
        worker.once('exit', (code) =>
          reject(new Error(`a bench thread exited with ${code} before finishing`)),
        )
      }),
    )
  }
  try {
    await Promise.all(ready)
  } catch (error) {
    for (const { worker } of workers) void worker.terminate()
    io.stderr.write(`wsx: bench thread failed: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
  const started = performance.now()
  for (const { worker } of workers) worker.postMessage({ type: 'start', duration: options.duration })
  // SIGINT or SIGTERM: stop the load now and report what was measured.
  const stopEarly = (): void => {
    for (const { worker } of workers) worker.postMessage({ type: 'stop' })
  }
  io.shutdown?.addEventListener('abort', stopEarly, { once: true })
  const live = (io.stderr as { isTTY?: boolean }).isTTY === true
  const ticker = live
    ? setInterval(() => {
        const seconds = (performance.now() - started) / 1000
        let messages = 0
        let bytes = 0
        let errors = 0
        for (const { progress } of workers) {
          messages += progress.messages
          bytes += progress.bytes
          errors += progress.errors
        }
        io.stderr.write(
          `\r\x1b[2K${seconds.toFixed(1)} s  ${Math.round(messages / seconds)} msg/s  ${(bytes / seconds / 1e6).toFixed(2)} MB/s  errors ${errors}`,
        )
      }, 500)
    : undefined
  let done: LoadResult[]
  try {
    done = await Promise.all(results)
  } catch (error) {
    io.stderr.write(`wsx: bench thread failed: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  } finally {
    io.shutdown?.removeEventListener('abort', stopEarly)
    if (ticker !== undefined) {
      clearInterval(ticker)
      io.stderr.write('\r\x1b[2K')
    }
    for (const { worker } of workers) void worker.terminate()
  }
  const summary = summarize(options, done)
  for (const result of done) for (const sample of result.samples) io.stderr.write(`wsx: bench: ${sample}\n`)
  io.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary))
  return summary.errors === 0 ? 0 : 1
}

export function summarize(options: BenchOptions, results: LoadResult[]): BenchSummary {
  const histogram = new Histogram()
  const closes: Record<string, number> = {}
  let messages = 0
  let bytes = 0
  let sent = 0
  let received = 0
  let errors = 0
  let connected = 0
  for (const result of results) {
    histogram.add(result.histogram)
    messages += result.messages
    bytes += result.bytes
    sent += result.sent
    received += result.received
    errors += result.errors
    connected += result.connected
    for (const [code, count] of Object.entries(result.closes)) closes[code] = (closes[code] ?? 0) + count
  }
  // The window each thread measured; they start together, and stop together unless interrupted.
  const windowMs = results.reduce((longest, result) => Math.max(longest, result.windowMs), 0)
  const seconds = Math.round(windowMs) / 1000
  const round = (ms: number): number => Math.round(ms * 1000) / 1000
  return {
    url: options.url.href,
    connections: options.connections,
    connected,
    threads: options.threads,
    inFlight: options.inFlight,
    size: options.size,
    binary: options.binary,
    seconds,
    messages,
    messagesPerSecond: seconds === 0 ? 0 : Math.round(messages / seconds),
    bytesPerSecond: seconds === 0 ? 0 : Math.round(bytes / seconds),
    latencyMs: {
      p50: round(histogram.quantile(0.5)),
      p90: round(histogram.quantile(0.9)),
      p99: round(histogram.quantile(0.99)),
      max: round(histogram.max),
    },
    sent,
    received,
    errors,
    closes,
  }
}

export function formatSummary(s: BenchSummary): string {
  const closes = Object.entries(s.closes)
    .map(([code, count]) => `${code} x${count}`)
    .join(', ')
  return [
    `wsx bench ${s.url}: ${s.connected}/${s.connections} connections on ${s.threads} thread${s.threads === 1 ? '' : 's'}, ${s.inFlight} in flight each, ${s.size}-byte ${s.binary ? 'binary' : 'text'} messages, ${s.seconds} s`,
    `messages:   ${s.messages} echoed and checked, ${s.messagesPerSecond} per second`,
    `throughput: ${(s.bytesPerSecond / 1e6).toFixed(2)} MB/s of payload echoed`,
    `latency:    p50 ${s.latencyMs.p50} ms, p90 ${s.latencyMs.p90} ms, p99 ${s.latencyMs.p99} ms, max ${s.latencyMs.max} ms`,
    `errors:     ${s.errors}`,
    `closes:     ${closes === '' ? 'none' : closes}`,
    '',
  ].join('\n')
}
