import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { InvalidStateError, WebSocketConnection } from '../src/index.ts'
import {
  CLIENT,
  closedEvent,
  concat,
  type FrameSpec,
  frame,
  fromHex,
  hex,
  parseFrames,
  runAllChunkings,
  SERVER,
  throwsKind,
  utf8,
} from './wire.ts'

const c = (spec: FrameSpec): Uint8Array => frame({ mask: [1, 2, 3, 4], ...spec })
const closePayload = (code: number, reason = ''): Uint8Array =>
  concat(Uint8Array.of(code >> 8, code & 0xff), utf8(reason))
const sentFrames = (connection: WebSocketConnection) =>
  parseFrames(concat(...connection.takeOutgoing())).map((f) => [f.opcode, hex(f.payload)])

const handshake = suite('7.1 close handshake')

handshake('server-initiated: the server sends close, the client echoes, the server then closes TCP', () => {
  const server = new WebSocketConnection(SERVER)
  const client = new WebSocketConnection(CLIENT)
  server.close(1000, 'done')
  assert.is(server.state, 'closing')
  assert.is(server.closeExpected, true)
  assert.is(server.shouldCloseTransport, false)
  for (const chunk of server.takeOutgoing()) client.receive(chunk)
  assert.equal(client.takeEvents(), [
    { type: 'close', code: 1000, reason: 'done' },
    { type: 'closed', code: 1000, reason: 'done', wasClean: true },
  ])
  assert.is(client.state, 'closed')
  // The client waits for the server to close the transport (its adapter runs a timer).
  assert.is(client.shouldCloseTransport, false)
  assert.is(client.closeExpected, true)
  for (const chunk of client.takeOutgoing()) server.receive(chunk)
  assert.equal(server.takeEvents(), [
    { type: 'close', code: 1000, reason: '' },
    { type: 'closed', code: 1000, reason: '', wasClean: true },
  ])
  assert.is(server.state, 'closed')
  assert.is(server.shouldCloseTransport, true)
  assert.is(server.closeExpected, false)
  assert.equal(server.takeOutgoing(), [])
  client.receiveEof()
  assert.is(client.shouldCloseTransport, true)
  assert.is(client.closeExpected, false)
  assert.equal(client.takeEvents(), [])
})

handshake('client-initiated: the echo carries the same code; the server closes the transport', () => {
  const client = new WebSocketConnection(CLIENT)
  const server = new WebSocketConnection(SERVER)
  client.close(4000, 'app reason')
  for (const chunk of client.takeOutgoing()) server.receive(chunk)
  assert.equal(server.takeEvents(), [
    { type: 'close', code: 4000, reason: 'app reason' },
    { type: 'closed', code: 4000, reason: 'app reason', wasClean: true },
  ])
  assert.is(server.shouldCloseTransport, true)
  const echo = server.takeOutgoing()
  assert.equal(
    parseFrames(concat(...echo)).map((f) => hex(f.payload)),
    ['0fa0'],
  )
  for (const chunk of echo) client.receive(chunk)
  assert.equal(client.takeEvents(), [
    { type: 'close', code: 4000, reason: '' },
    { type: 'closed', code: 4000, reason: '', wasClean: true },
  ])
  assert.equal(client.takeOutgoing(), [])
})

handshake('simultaneous close: each side sends one close and neither echoes', () => {
  const client = new WebSocketConnection(CLIENT)
  const server = new WebSocketConnection(SERVER)
  client.close(1000)
  server.close(1001)
  const fromClient = client.takeOutgoing()
  const fromServer = server.takeOutgoing()
  for (const chunk of fromServer) client.receive(chunk)
  for (const chunk of fromClient) server.receive(chunk)
  assert.equal(client.takeEvents(), [
    { type: 'close', code: 1001, reason: '' },
    { type: 'closed', code: 1001, reason: '', wasClean: true },
  ])
  assert.equal(server.takeEvents(), [
    { type: 'close', code: 1000, reason: '' },
    { type: 'closed', code: 1000, reason: '', wasClean: true },
  ])
  assert.equal(client.takeOutgoing(), [])
  assert.equal(server.takeOutgoing(), [])
})

handshake('an empty close is reported as 1005 and answered with an empty close', () => {
  const { events, output } = runAllChunkings(SERVER, c({ opcode: 8 }))
  assert.equal(events, [
    { type: 'close', code: 1005, reason: '' },
    { type: 'closed', code: 1005, reason: '', wasClean: true },
  ])
  assert.equal(
    parseFrames(output).map((f) => [f.opcode, hex(f.payload)]),
    [[8, '']],
  )
})

handshake('everything after the peer’s close is ignored (7.1.2-7.1.5)', () => {
  const { events, output } = runAllChunkings(
    SERVER,
    concat(
      c({ opcode: 1, fin: false, payload: 'frag' }),
      c({ opcode: 8, payload: closePayload(1000) }),
      c({ opcode: 8, payload: closePayload(1001) }),
      c({ opcode: 9, payload: 'ping' }),
      c({ opcode: 1, payload: 'text' }),
      c({ opcode: 0, payload: 'garbage' }),
      Uint8Array.of(0xff, 0xff),
    ),
  )
  assert.equal(events, [
    { type: 'close', code: 1000, reason: '' },
    { type: 'closed', code: 1000, reason: '', wasClean: true },
  ])
  assert.equal(
    parseFrames(output).map((f) => [f.opcode, hex(f.payload)]),
    [[8, '03e8']],
  )
})

handshake('after sending close: data still arrives, pings are not answered, sending throws', () => {
  const server = new WebSocketConnection(SERVER)
  server.close()
  assert.equal(sentFrames(server), [[8, '']])
  server.receive(concat(c({ opcode: 1, payload: 'late' }), c({ opcode: 9, payload: 'p' })))
  assert.equal(server.takeEvents(), [
    { type: 'text', data: 'late' },
    { type: 'ping', data: utf8('p') },
  ])
  assert.equal(server.takeOutgoing(), [])
  throwsKind(() => server.sendText('x'), InvalidStateError)
  throwsKind(() => server.ping(), InvalidStateError)
  server.close(1000) // a second close does nothing
  assert.equal(server.takeOutgoing(), [])
})

handshake('autoPong: false reports pings without answering them; pong() answers by hand', () => {
  const server = new WebSocketConnection({ role: 'server', autoPong: false })
  server.receive(c({ opcode: 9, payload: 'p' }))
  assert.equal(server.takeEvents(), [{ type: 'ping', data: utf8('p') }])
  assert.equal(server.takeOutgoing(), [])
  server.pong('p')
  assert.equal(sentFrames(server), [[10, hex(utf8('p'))]])
})

handshake('EOF before the close handshake is an abnormal closure (1006); EOF is idempotent', () => {
  const { events, connection } = runAllChunkings(
    SERVER,
    c({ opcode: 1, payload: 'partial' }).subarray(0, 8),
    true,
  )
  assert.equal(events, [{ type: 'closed', code: 1006, reason: '', wasClean: false }])
  connection.receiveEof()
  assert.equal(connection.takeEvents(), [])
  assert.is(connection.state, 'closed')
  assert.is(connection.shouldCloseTransport, true)
  connection.receive(c({ opcode: 1, payload: 'ignored' }))
  assert.equal(connection.takeEvents(), [])
})

handshake('local fail(): close frame with the code, closed at once, not clean', () => {
  const client = new WebSocketConnection(CLIENT)
  client.fail(1008, 'policy')
  assert.equal(client.takeEvents(), [{ type: 'closed', code: 1008, reason: 'policy', wasClean: false }])
  assert.equal(
    parseFrames(concat(...client.takeOutgoing())).map((f) => hex(f.payload)),
    [hex(closePayload(1008, 'policy'))],
  )
  assert.is(client.shouldCloseTransport, true)
  client.fail(1011)
  assert.equal(client.takeEvents(), [])
})

const codes = suite('7.4 close codes')

const VALID = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]
const INVALID = [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]

for (const code of VALID) {
  codes(`a received ${code} is accepted and echoed`, () => {
    const { events, output } = runAllChunkings(SERVER, c({ opcode: 8, payload: closePayload(code, 'why') }))
    assert.equal(events[0], { type: 'close', code, reason: 'why' })
    assert.equal(
      parseFrames(output).map((f) => hex(f.payload)),
      [hex(closePayload(code))],
    )
  })
}

for (const code of INVALID) {
  codes(`a received ${code} fails with 1002`, () => {
    const { events, output } = runAllChunkings(SERVER, c({ opcode: 8, payload: closePayload(code) }))
    const closed = closedEvent(events)
    assert.is(events.length, 1)
    assert.is(closed.code, 1002)
    assert.is(closed.error?.code, 'WS_ERR_INVALID_CLOSE_CODE')
    assert.equal(
      parseFrames(output).map((f) => hex(f.payload)),
      ['03ea'],
    )
  })
}

codes('a 1-byte close payload fails with 1002', () => {
  const { events } = runAllChunkings(SERVER, c({ opcode: 8, payload: Uint8Array.of(3) }))
  assert.is(closedEvent(events).error?.code, 'WS_ERR_INVALID_CLOSE_PAYLOAD')
  assert.is(closedEvent(events).code, 1002)
})

codes('a 125-byte close payload (123-byte reason) is fine; 126 bytes fails with 1002', () => {
  const ok = runAllChunkings(SERVER, c({ opcode: 8, payload: closePayload(1000, 'r'.repeat(123)) }))
  assert.equal(ok.events[0], { type: 'close', code: 1000, reason: 'r'.repeat(123) })
  const tooLong = runAllChunkings(SERVER, c({ opcode: 8, payload: closePayload(1000, 'r'.repeat(124)) }))
  assert.is(closedEvent(tooLong.events).code, 1002)
})

codes('a close reason that is not UTF-8 fails with 1007', () => {
  const { events } = runAllChunkings(
    SERVER,
    c({ opcode: 8, payload: concat(closePayload(1000), fromHex('eda080')) }),
  )
  assert.is(closedEvent(events).code, 1007)
})

codes('what the application may send', () => {
  for (const code of VALID) {
    const server = new WebSocketConnection(SERVER)
    server.close(code, `${'é'.repeat(61)}x`)
    assert.equal(sentFrames(server), [[8, hex(closePayload(code, `${'é'.repeat(61)}x`))]])
  }
  for (const code of [...INVALID, 1000.5, Number.NaN]) {
    throwsKind(() => new WebSocketConnection(SERVER).close(code), RangeError)
  }
  throwsKind(() => new WebSocketConnection(SERVER).close(1000, 'é'.repeat(62)), RangeError)
  throwsKind(() => new WebSocketConnection(SERVER).close(undefined, 'reason'), TypeError)
  throwsKind(() => new WebSocketConnection(SERVER).close(1000, 5 as unknown as string), TypeError)
  throwsKind(() => new WebSocketConnection(SERVER).fail(1005), RangeError)
})

const deferred = suite("deferCloseReply: the application answers the peer's close")

deferred("messages before the close can still be answered; close() then echoes the peer's code", () => {
  const server = new WebSocketConnection({ role: 'server', deferCloseReply: true })
  server.receive(
    concat(
      c({ opcode: 1, payload: 'one' }),
      c({ opcode: 1, payload: 'two' }),
      c({ opcode: 8, payload: closePayload(4001, 'bye') }),
    ),
  )
  assert.equal(server.takeEvents(), [
    { type: 'text', data: 'one' },
    { type: 'text', data: 'two' },
    { type: 'close', code: 4001, reason: 'bye' },
  ])
  assert.equal(server.takeOutgoing(), [], 'no echo yet')
  assert.is(server.state, 'open')
  assert.ok(server.closeReplyPending)
  assert.not.ok(server.closeExpected)
  assert.not.ok(server.shouldCloseTransport)
  server.sendText('ONE')
  server.sendText('TWO')
  server.close()
  // The replies go out before the echo, which carries the peer's code only.
  assert.equal(sentFrames(server), [
    [1, hex(utf8('ONE'))],
    [1, hex(utf8('TWO'))],
    [8, '0fa1'],
  ])
  assert.equal(server.takeEvents(), [{ type: 'closed', code: 4001, reason: 'bye', wasClean: true }])
  assert.is(server.state, 'closed')
  assert.not.ok(server.closeReplyPending)
  assert.ok(server.shouldCloseTransport, 'the server ends TCP after the handshake')
  throwsKind(() => server.sendText('late'), InvalidStateError)
})

deferred('close() with its own code answers with that code; an empty close is answered empty', () => {
  const client = new WebSocketConnection({ role: 'client', deferCloseReply: true })
  client.receive(frame({ opcode: 8, payload: closePayload(1001) }))
  client.takeEvents()
  client.close(1000, 'ok')
  const [closeFrame] = parseFrames(concat(...client.takeOutgoing()))
  assert.is(hex(closeFrame?.payload as Uint8Array), hex(closePayload(1000, 'ok')))
  assert.equal(client.takeEvents(), [{ type: 'closed', code: 1001, reason: '', wasClean: true }])
  const empty = new WebSocketConnection({ role: 'server', deferCloseReply: true })
  empty.receive(c({ opcode: 8 }))
  assert.equal(empty.takeEvents(), [{ type: 'close', code: 1005, reason: '' }])
  empty.close()
  assert.equal(sentFrames(empty), [[8, '']])
})

deferred("the transport ending before the reply: closed with the peer's code, not cleanly", () => {
  const server = new WebSocketConnection({ role: 'server', deferCloseReply: true })
  server.receive(c({ opcode: 8, payload: closePayload(1000) }))
  server.receiveEof()
  assert.equal(server.takeEvents(), [
    { type: 'close', code: 1000, reason: '' },
    { type: 'closed', code: 1000, reason: '', wasClean: false },
  ])
  // A failure while the reply is pending sends the failure's code instead.
  const failing = new WebSocketConnection({ role: 'server', deferCloseReply: true })
  failing.receive(c({ opcode: 8, payload: closePayload(1000) }))
  failing.fail(1011)
  assert.equal(sentFrames(failing), [[8, '03f3']])
  assert.is(closedEvent(failing.takeEvents()).code, 1011)
})

deferred('without the option the echo is queued at once, as before', () => {
  const server = new WebSocketConnection(SERVER)
  server.receive(c({ opcode: 8, payload: closePayload(4001) }))
  assert.equal(sentFrames(server), [[8, '0fa1']])
  assert.is(server.state, 'closed')
  assert.not.ok(server.closeReplyPending)
})

const held = suite('deferCloseReply: a failure in the input waits for the application')

held('messages before a bad frame can be answered; close() then sends the failure', () => {
  const server = new WebSocketConnection({ role: 'server', deferCloseReply: true })
  // A text message, a frame with a reserved opcode, then a ping that must never be answered.
  server.receive(
    concat(c({ opcode: 1, payload: 'hello' }), c({ opcode: 3 }), c({ opcode: 9, payload: 'late' })),
  )
  assert.equal(server.takeEvents(), [{ type: 'text', data: 'hello' }])
  assert.ok(server.failurePending)
  assert.is(server.state, 'open')
  assert.equal(server.takeOutgoing(), [], 'no close frame and no pong yet')
  assert.not.ok(server.shouldCloseTransport)
  server.sendText('HELLO')
  server.close(1000, 'ignored')
  assert.equal(sentFrames(server), [
    [1, hex(utf8('HELLO'))],
    [8, '03ea'],
  ])
  const events = server.takeEvents()
  assert.is(events.length, 1)
  const closed = closedEvent(events)
  assert.is(closed.code, 1002)
  assert.is(closed.wasClean, false)
  assert.is(closed.error?.code, 'WS_ERR_INVALID_OPCODE')
  assert.not.ok(server.failurePending)
  assert.ok(server.shouldCloseTransport)
  throwsKind(() => server.sendText('after'), InvalidStateError)
})

held('fail() and the end of the transport release the held failure with its own code', () => {
  const invalidUtf8 = () => c({ opcode: 1, payload: Uint8Array.of(0xce, 0xba, 0xed, 0xa0, 0x80) })
  const failing = new WebSocketConnection({ role: 'server', deferCloseReply: true })
  failing.receive(invalidUtf8())
  assert.ok(failing.failurePending)
  failing.fail(1011)
  assert.equal(sentFrames(failing), [[8, '03ef']])
  assert.is(closedEvent(failing.takeEvents()).code, 1007)
  const ended = new WebSocketConnection({ role: 'client', deferCloseReply: true })
  ended.receive(frame({ opcode: 1, payload: Uint8Array.of(0xff) }))
  ended.receiveEof()
  const event = closedEvent(ended.takeEvents())
  assert.is(event.code, 1007)
  assert.is(event.wasClean, false)
  assert.ok(ended.shouldCloseTransport)
})

held('once our close is out, a failure is applied at once; without the option, always', () => {
  const closing = new WebSocketConnection({ role: 'server', deferCloseReply: true })
  closing.close(1000)
  closing.takeOutgoing()
  closing.receive(c({ opcode: 3 }))
  assert.not.ok(closing.failurePending)
  assert.is(closing.state, 'closed')
  const plain = new WebSocketConnection(SERVER)
  plain.receive(concat(c({ opcode: 1, payload: 'hello' }), c({ opcode: 3 })))
  assert.not.ok(plain.failurePending)
  assert.equal(sentFrames(plain), [[8, '03ea']])
  assert.is(plain.state, 'closed')
})

handshake.run()
codes.run()
deferred.run()
held.run()
