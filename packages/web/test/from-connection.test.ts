/**
 * Server-side wrappers: an accepted Connection taken as a WHATWG WebSocket (Deno's
 * upgradeWebSocket model: CONNECTING, then `open` in a task, then messages) or as a
 * WebSocketStream whose `opened` is already resolved.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CloseEventInstance } from '../src/close-event.ts'
import { streamFromConnection, type WebSocketInstance, websocketFromConnection } from '../src/index.ts'
import { until } from './fake.ts'
import { deadline, nextEvent, nodeClasses, ourServer } from './servers.ts'

const { WebSocket } = nodeClasses()

const wrappers = suite('websocketFromConnection and streamFromConnection')

wrappers(
  'a server WebSocket: CONNECTING, then open (a task), messages, send back, close both ways',
  async () => {
    const log: string[] = []
    let serverSocket: WebSocketInstance | undefined
    const server = await ourServer((connection) => {
      const socket = websocketFromConnection(connection, { url: 'ws://example.com/chat' })
      serverSocket = socket
      log.push(`wrapped ${socket.readyState}`)
      socket.binaryType = 'arraybuffer'
      socket.onopen = () => log.push(`open ${socket.readyState}`)
      socket.onmessage = (event) => {
        log.push(
          `message ${event.origin} ${event.data instanceof ArrayBuffer ? 'bytes' : String(event.data)}`,
        )
        socket.send(event.data as string)
      }
      socket.onclose = (event) => log.push(`close ${event.code} ${event.wasClean}`)
    })
    try {
      const client = new WebSocket(server.url)
      await nextEvent(client, 'open')
      client.send('hello')
      client.send(new Uint8Array([1, 2]))
      const replies: unknown[] = []
      client.onmessage = (event) => replies.push(event.data)
      await deadline(until(() => replies.length === 2))
      assert.is(replies[0], 'hello')
      assert.instance(replies[1], Blob)
      assert.equal([...new Uint8Array(await (replies[1] as Blob).arrayBuffer())], [1, 2])
      assert.is(serverSocket?.url, 'ws://example.com/chat')
      serverSocket?.close(4000, 'server done')
      const event = await nextEvent<CloseEventInstance>(client, 'close')
      assert.equal([event.code, event.reason, event.wasClean], [4000, 'server done', true])
      await deadline(until(() => log.length === 5))
      assert.equal(log, [
        'wrapped 0',
        'open 1',
        'message ws://example.com hello',
        'message ws://example.com bytes',
        'close 4000 true',
      ])
    } finally {
      await server.close()
    }
  },
)

wrappers('without a url: url is "" and the origin "null"; send() before open throws', async () => {
  let result: unknown[] = []
  const server = await ourServer((connection) => {
    const socket = websocketFromConnection(connection)
    let threw = ''
    try {
      socket.send('too early')
    } catch (error) {
      threw = (error as Error).name
    }
    socket.onmessage = (event) => {
      result = [socket.url, event.origin, threw]
      socket.close()
    }
  })
  try {
    const client = new WebSocket(server.url)
    await nextEvent(client, 'open')
    client.send('x')
    await nextEvent(client, 'close')
    assert.equal(result, ['', 'null', 'InvalidStateError'])
  } finally {
    await server.close()
  }
})

wrappers('a server WebSocketStream: opened is resolved; echo through its streams', async () => {
  const server = await ourServer((connection) => {
    const stream = streamFromConnection(connection, { url: 'wss://example.com/' })
    void stream.opened.then(async ({ readable, writable, protocol }) => {
      assert.is(protocol, '')
      assert.is(stream.url, 'wss://example.com/')
      await readable.pipeTo(writable).catch(() => {})
    })
  })
  try {
    const client = new WebSocket(server.url)
    await nextEvent(client, 'open')
    const replies: unknown[] = []
    client.binaryType = 'arraybuffer'
    client.onmessage = (event) => replies.push(event.data)
    client.send('ping?')
    client.send(new Uint8Array([3]))
    await deadline(until(() => replies.length === 2))
    assert.is(replies[0], 'ping?')
    assert.equal([...new Uint8Array(replies[1] as ArrayBuffer)], [3])
    client.close(3001)
    const event = await nextEvent<CloseEventInstance>(client, 'close')
    assert.is(event.code, 3001)
  } finally {
    await server.close()
  }
})

wrappers.run()
