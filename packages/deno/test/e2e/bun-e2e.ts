/**
 * Run by Bun (from runtimes.test.ts). Our client in Bun is @ws/node-tcp / @ws/node-tls, the
 * Node transport, running on Bun's node:net and node:tls (see RUNTIMES.md for why). Each
 * scenario prints one JSON line: `{ "scenario": name, ...what it saw }`. Argument: a JSON object
 * with { ws, wss, ca } (our Node servers' URLs and the test CA).
 */
import { type Connection, connect } from '../../../node-tcp/src/index.ts'
import { connect as connectTls } from '../../../node-tls/src/index.ts'

declare const Bun: {
  argv: string[]
  serve(options: {
    hostname: string
    port: number
    fetch(request: Request, server: { upgrade(request: Request): boolean }): Response | undefined
    websocket: {
      perMessageDeflate?: boolean
      message(socket: { send(data: string | Uint8Array): void }, message: string | Uint8Array): void
    }
  }): { port: number; stop(force?: boolean): void }
}
declare const process: { exit(code: number): never }

const config = JSON.parse(Bun.argv[2] as string) as { ws: string; wss: string; ca: string }
const BIG = 'bun says hello, compress me; '.repeat(4000) // 116 KB

function report(scenario: string, data: Record<string, unknown>): void {
  console.log(JSON.stringify({ scenario, ...data }))
}

function withTimeout<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

const describe = (data: unknown): string =>
  typeof data === 'string'
    ? data.length > 100
      ? `text:${data.length}:${data === BIG}`
      : data
    : `binary:${Array.from(new Uint8Array(data as ArrayBuffer)).join(',')}`

/** Echoes a text, a binary and a big text over our Connection, closes with 1000; reports. */
async function echoOver(scenario: string, connection: Connection): Promise<void> {
  const received: string[] = []
  const echoed = new Promise<void>((resolve) => {
    connection.on('text', (event) => {
      received.push(describe(event.data))
      if (received.length === 3) resolve()
    })
    connection.on('binary', (event) => {
      received.push(describe(event.data))
      if (received.length === 3) resolve()
    })
  })
  connection.sendText('hello')
  connection.sendBinary(Uint8Array.of(1, 2, 3))
  connection.sendText(BIG)
  await withTimeout(echoed, `${scenario} echoes`)
  connection.close(1000, 'done')
  const closed = await withTimeout(connection.closed, `${scenario} close`)
  report(scenario, {
    extensions: connection.extensions,
    protocol: connection.protocol,
    received,
    closed: { code: closed.code, reason: closed.reason, wasClean: closed.wasClean },
  })
}

async function main(): Promise<void> {
  const headers = { 'x-e2e': 'bun' }

  // 1. Our client over Bun's node:net, against our Node server.
  await echoOver('ours-tcp-to-node', await connect(`${config.ws}/ours-tcp`, { headers, protocols: ['chat'] }))

  // 2. Our client over Bun's node:tls, against our Node wss:// server.
  await echoOver('ours-tls-to-node', await connectTls(`${config.wss}/ours-tls`, { headers, ca: config.ca }))

  // 2b. Without the test CA, Bun's node:tls refuses the server's certificate.
  try {
    const connection = await connectTls(`${config.wss}/untrusted`, { headers })
    connection.terminate()
    report('ours-tls-untrusted', { connected: true })
  } catch (error) {
    report('ours-tls-untrusted', {
      connected: false,
      kind: (error as { kind?: string }).kind,
      code: (error as { code?: string }).code,
    })
  }

  // 3. Our client against Bun's own server (Bun.serve with websocket, permessage-deflate on).
  {
    let seen: Record<string, string | null> = {}
    const server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch(request, bunServer) {
        seen = {
          header: request.headers.get('x-e2e'),
          offered: request.headers.get('sec-websocket-extensions'),
        }
        return bunServer.upgrade(request) ? undefined : new Response('upgrade failed', { status: 400 })
      },
      websocket: {
        perMessageDeflate: true,
        message(socket, message) {
          socket.send(message)
        },
      },
    })
    await echoOver('ours-to-bun-serve', await connect(`ws://127.0.0.1:${server.port}/bun`, { headers }))
    report('bun-serve-saw', seen)
    server.stop(true)
  }

  // 4. Bun's own WebSocket client (with Bun's `headers` option) against our Node server.
  {
    const socket = new (WebSocket as unknown as new (url: string, options: unknown) => WebSocket)(
      `${config.ws}/bun-client`,
      { headers },
    )
    socket.binaryType = 'arraybuffer'
    const received: string[] = []
    const closed = new Promise<{ code: number; reason: string; wasClean: boolean }>((resolve, reject) => {
      socket.onerror = () => reject(new Error('bun-client: error event'))
      socket.onmessage = (event) => {
        received.push(describe(event.data))
        if (received.length === 3) socket.close(1000, 'done')
      }
      socket.onclose = (event) =>
        resolve({ code: event.code, reason: event.reason, wasClean: event.wasClean })
    })
    await withTimeout(
      new Promise<void>((resolve) => {
        socket.onopen = () => resolve()
      }),
      'bun-client open',
    )
    socket.send('hello')
    socket.send(Uint8Array.of(1, 2, 3))
    socket.send(BIG)
    const result = await withTimeout(closed, 'bun-client close')
    report('bun-client-to-node', { extensions: socket.extensions, received, closed: result })
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.log(JSON.stringify({ scenario: 'failure', message: String(error?.stack ?? error) }))
    process.exit(1)
  },
)
