// wsx serve's newer flags through the real command, with @ws/node-tcp clients and node:http.
import { once } from 'node:events'
import { request as httpRequest } from 'node:http'
import { type Connection, connect } from '@ws/node-tcp'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { killAll, startServe, within } from './harness.ts'
import { waitUntil } from './helpers.ts'

const serve = suite('wsx serve flags')
serve.after.each(killAll)

/** The next text or binary message of a connection. */
async function nextMessage(connection: Connection): Promise<{ type: string; data: unknown }> {
  const iterator = connection[Symbol.asyncIterator]()
  for (;;) {
    const { value, done } = await within(iterator.next(), 5000, 'next message')
    if (done || value.type === 'closed') throw new Error('connection ended')
    if (value.type === 'text' || value.type === 'binary') return value
  }
}

serve('--broadcast: each message goes to every other client, not back to its sender', async () => {
  const { server, url } = await startServe(['--broadcast'])
  const [a, b, c] = await Promise.all([connect(url), connect(url), connect(url)])
  if (a === undefined || b === undefined || c === undefined) throw new Error('unreachable')
  a.sendText('hi from a')
  assert.equal(await nextMessage(b), { type: 'text', data: 'hi from a' })
  assert.equal(await nextMessage(c), { type: 'text', data: 'hi from a' })
  b.sendBinary(new Uint8Array([7, 8, 9]))
  // a's first message is b's: its own never came back.
  const toA = await nextMessage(a)
  assert.is(toA.type, 'binary')
  assert.equal([...(toA.data as Uint8Array)], [7, 8, 9])
  const toC = await nextMessage(c)
  assert.equal([...(toC.data as Uint8Array)], [7, 8, 9])
  // A client that leaves is no longer in the room.
  c.close(1000)
  await c.closed
  a.sendText('after c left')
  assert.equal(await nextMessage(b), { type: 'text', data: 'after c left' })
  a.close(1000)
  b.close(1000)
  await Promise.all([a.closed, b.closed])
  server.kill('SIGTERM')
  assert.is((await server.exited).code, 0)
})

serve("--protocol: the first of the client's offers that the server speaks is accepted", async () => {
  const { server, url } = await startServe(['--protocol', 'chat.v2', '--protocol', 'chat'])
  const picked = await connect(url, { protocols: ['other', 'chat', 'chat.v2'] })
  assert.is(picked.protocol, 'chat')
  const none = await connect(url, { protocols: ['other'] })
  assert.is(none.protocol, '')
  const plain = await connect(url)
  assert.is(plain.protocol, '')
  for (const connection of [picked, none, plain]) connection.close(1000)
  await Promise.all([picked.closed, none.closed, plain.closed])
  server.kill('SIGTERM')
  await server.exited
})

serve('--keepalive: an idle client is pinged; one that never answers is closed with 1011', async () => {
  const { server, url } = await startServe(['--keepalive', '0.3'])
  const answering = await connect(url)
  let pinged = 0
  answering.on('ping', () => {
    pinged++
  })
  const silent = await connect(url, { autoPong: false })
  const closed = await within(silent.closed, 5000, 'silent client closed')
  assert.is(closed.code, 1011)
  assert.ok(pinged >= 1)
  assert.is(answering.state, 'open')
  answering.close(1000)
  await answering.closed
  server.kill('SIGTERM')
  await server.exited
})

/** An upgrade request with node:http: the status and body of a refusal, or 101. */
async function upgrade(port: number): Promise<{ status: number; body: string; type?: string }> {
  const request = httpRequest({
    host: '127.0.0.1',
    port,
    path: '/',
    headers: {
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    },
  })
  request.end()
  const result = await within(
    Promise.race([
      once(request, 'response').then(async ([response]) => {
        let body = ''
        for await (const chunk of response) body += chunk
        return {
          status: response.statusCode as number,
          body,
          type: response.headers['content-type'] as string,
        }
      }),
      once(request, 'upgrade').then(([, socket]) => {
        socket.destroy()
        return { status: 101, body: '' }
      }),
    ]),
    5000,
    'upgrade answer',
  )
  return result
}

serve('--max-connections: beyond N open connections the handshake gets 503 with a text body', async () => {
  const { server, url, port } = await startServe(['--max-connections', '2'])
  const one = await connect(url)
  const two = await connect(url)
  const refused = await upgrade(port)
  assert.is(refused.status, 503)
  assert.is(refused.body, 'too many connections: this server takes at most 2\n')
  assert.match(refused.type ?? '', /^text\/plain/)
  one.close(1000)
  await one.closed
  await new Promise((resolve) => setTimeout(resolve, 50))
  const three = await connect(url)
  assert.is(three.state, 'open')
  two.close(1000)
  three.close(1000)
  await Promise.all([two.closed, three.closed])
  server.kill('SIGTERM')
  await server.exited
})

serve('--jsonl and --log: one line per connection opened and closed, with counts each way', async () => {
  for (const mode of ['--jsonl', '--log']) {
    const { server, url } = await startServe([mode, '--protocol', 'chat'])
    const client = await connect(`${url}room?x=1`, { protocols: ['chat'] })
    const localPort = (client.socket as unknown as { localPort: number }).localPort
    client.sendText('abc')
    client.sendBinary(new Uint8Array([1, 2, 3, 4]))
    client.sendText('é')
    for (let i = 0; i < 3; i++) await nextMessage(client)
    client.close(1000, 'bye')
    await client.closed
    await waitUntil(() => server.stderr, /close/, 'server log')
    server.kill('SIGTERM')
    const { stderr } = await server.exited
    const lines = stderr.trimEnd().split('\n')
    assert.is(lines.length, 2, stderr)
    if (mode === '--jsonl') {
      const [open, close] = lines.map((line) => JSON.parse(line)) as Record<string, unknown>[]
      if (open === undefined || close === undefined) throw new Error('unreachable')
      assert.ok(!Number.isNaN(Date.parse(String(open.time))))
      const common = {
        remote: `127.0.0.1:${localPort}`,
        path: '/room?x=1',
        protocol: 'chat',
        extensions: client.extensions,
      }
      assert.equal({ ...open, time: undefined }, { type: 'open', time: undefined, ...common })
      assert.ok(typeof close.durationMs === 'number' && close.durationMs >= 0)
      assert.equal(
        { ...close, time: undefined, durationMs: undefined },
        {
          type: 'close',
          time: undefined,
          ...common,
          durationMs: undefined,
          messagesIn: 3,
          bytesIn: 9,
          messagesOut: 3,
          bytesOut: 9,
          code: 1000,
          reason: 'bye',
          wasClean: true,
        },
      )
    } else {
      assert.match(
        lines[0] as string,
        new RegExp(
          `^open 127\\.0\\.0\\.1:${localPort} /room\\?x=1 protocol=chat extensions="permessage-deflate`,
        ),
      )
      assert.match(
        lines[1] as string,
        new RegExp(
          `^close 127\\.0\\.0\\.1:${localPort} /room\\?x=1 code=1000 duration=\\d+\\.\\d{3}s in=3msg/9B out=3msg/9B protocol=chat `,
        ),
      )
    }
  }
})

serve.run()
