/**
 * The classes over @ws/driver's in-memory transport pair, no sockets and no Node API in the
 * code under test or the scenario (memory-smoke.ts, which Deno and Bun can run too).
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createWebSocketClasses } from '../src/index.ts'
import { memorySmoke } from './memory-smoke.ts'

test('WebSocket and WebSocketStream round trips over an in-memory transport and the Acceptor', async () => {
  assert.equal(await memorySmoke(), [
    'open echo',
    'message hello',
    'close 1000 true',
    'stream 1,2,3',
    'stream closed 3000',
  ])
})

test("the opener gets the target, a signal, and the constructor's options over the defaults", async () => {
  const calls: unknown[][] = []
  const { WebSocket, WebSocketStream } = createWebSocketClasses({
    open: (target, signal, options) => {
      calls.push([target, signal.aborted, options])
      return Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))
    },
    defaults: { ca: 'default ca', servername: 'default', handshakeTimeout: 2000 },
  })
  const socket = new WebSocket('wss://example.com:8443/x', {
    protocols: 'chat',
    servername: 'mine',
    insecure: true,
  })
  await new Promise((resolve) => socket.addEventListener('close', resolve))
  const stream = new WebSocketStream('ws://example.net/', { protocols: [], cert: 'c' })
  await stream.closed.catch(() => {})
  assert.equal(calls, [
    [
      { host: 'example.com', port: 8443, secure: true },
      false,
      { ca: 'default ca', servername: 'mine', handshakeTimeout: 2000, insecure: true },
    ],
    [
      { host: 'example.net', port: 80, secure: false },
      false,
      { ca: 'default ca', servername: 'default', handshakeTimeout: 2000, cert: 'c' },
    ],
  ])
})

test.run()
