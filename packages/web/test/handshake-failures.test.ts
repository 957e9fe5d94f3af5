/**
 * Opening handshakes from a raw node:net server that misbehaves exactly: every failure is a
 * failed connection (readyState CLOSED at `error`, then `close` 1006 not clean, no exception,
 * no unhandled rejection), and the lenient cases the Standard allows still open, including
 * frames that arrive in the same packet as the 101.
 */
import type { Socket } from 'node:net'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { CloseEventInstance } from '../src/close-event.ts'
import { frame, nextEvent, nodeClasses, rawServer, switching } from './servers.ts'

const { WebSocket } = nodeClasses({ perMessageDeflate: false })

/** Connects to a raw server answering with `respond`; returns the events, with readyState. */
async function attempt(
  respond: (socket: Socket, request: { key: string; head: string }) => void,
  protocols?: string[],
) {
  const server = await rawServer(respond)
  try {
    const socket = new WebSocket(server.url, protocols)
    const log: string[] = []
    for (const type of ['open', 'message', 'error']) {
      socket.addEventListener(type, (event) => {
        const data = (event as MessageEvent).data
        log.push(`${type} ${socket.readyState}${data === undefined ? '' : ` ${String(data)}`}`)
      })
    }
    const close = await nextEvent<CloseEventInstance>(socket, 'close')
    return { log, close }
  } finally {
    await server.close()
  }
}

const FAILED = ['error 3']

const failures = suite('handshake failures')

const cases: [string, (socket: Socket, request: { key: string; head: string }) => void, string[]?][] = [
  ['a wrong Sec-WebSocket-Accept', (socket) => socket.write(switching('d3JvbmcgdGhpbmcgaGVyZQ=='))],
  [
    'a subprotocol not offered',
    (socket, { key }) => socket.write(switching(key, ['Sec-WebSocket-Protocol: other'])),
    ['chat'],
  ],
  [
    'a subprotocol differing in case',
    (socket, { key }) => socket.write(switching(key, ['Sec-WebSocket-Protocol: Chat'])),
    ['chat'],
  ],
  ['no subprotocol when some were offered', (socket, { key }) => socket.write(switching(key)), ['chat']],
  [
    'a subprotocol when none was offered',
    (socket, { key }) => socket.write(switching(key, ['Sec-WebSocket-Protocol: chat'])),
  ],
  [
    'an extension not offered',
    (socket, { key }) => socket.write(switching(key, ['Sec-WebSocket-Extensions: permessage-deflate'])),
  ],
  [
    'a 302 redirect (not followed)',
    (socket) => socket.end('HTTP/1.1 302 Found\r\nLocation: ws://127.0.0.1:1/\r\ncontent-length: 0\r\n\r\n'),
  ],
  ['a 404', (socket) => socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n')],
  ['a 200', (socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')],
  ['a garbage status line', (socket) => socket.end('SMTP ready\r\n\r\n')],
  [
    'the server closing mid-handshake',
    (socket) => socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n'),
  ],
  ['the server resetting mid-handshake', (socket) => socket.destroy()],
  [
    'a 101 without Upgrade',
    (socket, { key }) => socket.write(switching(key).replace('Upgrade: websocket\r\n', '')),
  ],
]

for (const [name, respond, protocols] of cases) {
  failures(`${name}: error (readyState CLOSED) then close 1006, not clean`, async () => {
    const { log, close } = await attempt(respond, protocols)
    assert.equal(log, FAILED)
    assert.equal([close.code, close.reason, close.wasClean], [1006, '', false])
  })
}

failures.run()

const lenient = suite('handshakes that succeed')

lenient('any reason phrase and Upgrade: WebSocket in another case', async () => {
  const { log, close } = await attempt((socket, { key }) => {
    socket.write(
      switching(key).replace('Switching Protocols', 'Switching Protocols:').replace('websocket', 'WebSocket'),
    )
    socket.end(frame(0x8, Buffer.from([0x03, 0xe8])))
  })
  assert.equal(log, ['open 1'])
  assert.equal([close.code, close.wasClean], [1000, true])
})

lenient('the 101 and the first frames in one packet: open, then the messages, then the close', async () => {
  const { log, close } = await attempt((socket, { key }) => {
    socket.end(
      Buffer.concat([
        Buffer.from(switching(key), 'latin1'),
        frame(0x1, 'first'),
        frame(0x1, 'second'),
        frame(0x8, Buffer.concat([Buffer.from([0x0f, 0xa0]), Buffer.from('done')])),
      ]),
    )
  })
  assert.equal(log, ['open 1', 'message 1 first', 'message 1 second'])
  assert.equal([close.code, close.reason, close.wasClean], [4000, 'done', true])
})

lenient('the chosen subprotocol, exactly as offered', async () => {
  const server = await rawServer((socket, { key, head }) => {
    assert.match(head, /\r\nsec-websocket-protocol: a, b\r\n/i)
    socket.write(switching(key, ['Sec-WebSocket-Protocol: b']))
  })
  try {
    const socket = new WebSocket(server.url, ['a', 'b'])
    await nextEvent(socket, 'open')
    assert.is(socket.protocol, 'b')
    assert.is(socket.extensions, '')
    socket.close()
  } finally {
    await server.close()
  }
})

lenient('a protocol error after the open (a masked server frame): error, then close 1006', async () => {
  const { log, close } = await attempt((socket, { key }) => {
    // Server frames must not be masked (RFC 6455 section 5.1): the client fails the connection.
    socket.write(
      Buffer.concat([Buffer.from(switching(key), 'latin1'), Buffer.from([0x81, 0x81, 1, 2, 3, 4, 0x61])]),
    )
  })
  assert.equal(log, ['open 1', 'error 3'])
  assert.equal([close.code, close.wasClean], [1006, false])
})

lenient.run()
