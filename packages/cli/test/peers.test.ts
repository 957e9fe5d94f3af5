// wsx connect against independent implementations: ws 8 (Node) and python-websockets (Debian's
// python3-websockets), which check our frames on their side and send their own pings.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { killAll, Wsx, within } from './harness.ts'
import { loadWs, pythonWebsockets, runRaw, stderrOf, waitUntil } from './helpers.ts'

const peers = suite('wsx connect against ws and python-websockets')
peers.after.each(killAll)

const PYTHON_ECHO = `
import asyncio, websockets
async def echo(ws, path=None):
    async for message in ws:
        await ws.send(message)
async def main():
    async with websockets.serve(echo, '127.0.0.1', 0, subprotocols=['chat'], ping_interval=0.2, ping_timeout=5) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()
asyncio.run(main())
`

/** Starts the python echo server; resolves with its URL and a function that stops it. */
async function pythonEcho(python: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(python, ['-c', PYTHON_ECHO], { stdio: ['ignore', 'pipe', 'inherit'] })
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    out += text
  })
  const [port] = await waitUntil(() => out, /^\d+(?=\n)/, 'the python server port')
  return {
    url: `ws://127.0.0.1:${port}/`,
    stop: () => {
      clearTimeout(timer)
      child.kill('SIGKILL')
    },
  }
}

peers(
  'python-websockets: --hex --jsonl --show-control --protocol, its pings shown and answered',
  async () => {
    const found = pythonWebsockets()
    if ('skip' in found) {
      console.log(`peers.test.ts: python-websockets test skipped: ${found.skip}`)
      return
    }
    const server = await pythonEcho(found.python)
    try {
      const wsx = new Wsx(['connect', server.url, '--hex', '--jsonl', '--show-control', '--protocol', 'chat'])
      wsx.input('cafe\n00ff\n', false)
      // python-websockets pings every 0.2 s and closes the connection if no pong comes.
      await waitUntil(stderrOf(wsx), /^< ping .*\n< ping /m, 'two pings from python')
      wsx.input('')
      const exit = await wsx.exited
      assert.is(exit.code, 0, exit.stderr)
      const events = exit.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; [key: string]: unknown })
      assert.is(events[0]?.type, 'open')
      assert.is(events[0]?.protocol, 'chat')
      const binaries = events.filter((event) => event.type === 'binary').map((event) => event.base64)
      assert.equal(binaries, [
        Buffer.from('cafe', 'hex').toString('base64'),
        Buffer.from('00ff', 'hex').toString('base64'),
      ])
      assert.ok(events.filter((event) => event.type === 'ping').length >= 2)
      assert.equal(events.at(-1), { ...events.at(-1), type: 'close', code: 1000, wasClean: true })
    } finally {
      server.stop()
    }
  },
)

peers(
  'python-websockets: --binary, 300 kB of random bytes in 16 kB messages come back identical',
  async () => {
    const found = pythonWebsockets()
    if ('skip' in found) {
      console.log(`peers.test.ts: python-websockets test skipped: ${found.skip}`)
      return
    }
    const server = await pythonEcho(found.python)
    try {
      const input = randomBytes(300_000)
      // python-websockets answers a close at once, dropping the echoes it has not sent yet: stdin
      // ends (and wsx closes) once every echo is back.
      const exit = await runRaw(
        ['connect', server.url, '--binary', '--chunk', '16384'],
        input,
        (stdout) => stdout.length >= input.length,
      )
      assert.is(exit.code, 0, exit.stderr)
      assert.is(exit.stdout.length, input.length)
      assert.ok(exit.stdout.equals(input))
    } finally {
      server.stop()
    }
  },
)

peers("ws: --base64 --jsonl --show-control against ws's server, which pings and echoes", async () => {
  const { WebSocketServer } = loadWs()
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise<void>((resolve) => server.on('listening', resolve))
  let closeCode = 0
  server.on('connection', (socket) => {
    ;(socket as unknown as { ping(data: string): void }).ping('from ws')
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }))
    socket.on('close', (code) => {
      closeCode = code
    })
  })
  try {
    const url = `ws://127.0.0.1:${server.address().port}/`
    const wsx = new Wsx(['connect', url, '--base64', '--jsonl', '--show-control'])
    wsx.input(`${Buffer.from('hi there').toString('base64')}\n`)
    const exit = await wsx.exited
    assert.is(exit.code, 0, exit.stderr)
    assert.is(exit.stderr, '< ping from ws\n< close 1000\n')
    const types = exit.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; base64?: string })
    assert.equal(
      types.map((event) => event.type),
      ['open', 'ping', 'binary', 'close'],
    )
    assert.is(types[2]?.base64, Buffer.from('hi there').toString('base64'))
    await waitUntil(() => String(closeCode), /^1000$/, 'the close code ws got')
  } finally {
    await within(new Promise<void>((resolve) => server.close(() => resolve())), 5000, 'ws server close')
  }
})

peers.run()
