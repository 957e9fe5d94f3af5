import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { DEFAULT_LIMITS, WebSocketConnection } from '../src/index.ts'
import { closedEvent, concat, type FrameSpec, frame, parseFrames, plain, runAllChunkings } from './wire.ts'

const c = (spec: FrameSpec): Uint8Array => frame({ mask: [9, 9, 9, 9], ...spec })
const bytes = (length: number): Uint8Array => new Uint8Array(length).fill(0x61)

const limits = suite('limits')

limits('defaults: 16 MiB frames and messages, 131072 fragments', () => {
  assert.is(DEFAULT_LIMITS.maxFrameSize, 16 * 1024 * 1024)
  assert.is(DEFAULT_LIMITS.maxMessageSize, 16 * 1024 * 1024)
  assert.is(DEFAULT_LIMITS.maxFragments, 131072)
  assert.is(new WebSocketConnection({ role: 'server' }).limits.maxMessageSize, 16 * 1024 * 1024)
})

limits('a frame at maxFrameSize passes; one byte over fails with 1009 before any payload arrives', () => {
  const options = { role: 'server' as const, limits: { maxFrameSize: 1000, maxMessageSize: 5000 } }
  const ok = runAllChunkings(options, c({ opcode: 2, payload: bytes(1000) }))
  assert.is(ok.events[0]?.type, 'binary')
  // Only the header of the oversized frame is sent: the connection fails without waiting for data.
  const header = c({ opcode: 2, payload: bytes(1001) }).subarray(0, 8)
  const over = runAllChunkings(options, header)
  const closed = closedEvent(over.events)
  assert.is(closed.code, 1009)
  assert.is(closed.error?.code, 'WS_ERR_FRAME_TOO_BIG')
  assert.equal(
    parseFrames(over.output).map((f) => f.payload[1]),
    [0xf1],
  )
})

limits('a fragmented message at maxMessageSize passes; one byte over fails with 1009 at the header', () => {
  const options = { role: 'server' as const, limits: { maxMessageSize: 1000 } }
  const ok = runAllChunkings(
    options,
    concat(c({ opcode: 1, fin: false, payload: bytes(600) }), c({ opcode: 0, payload: bytes(400) })),
  )
  assert.equal(ok.events, [{ type: 'text', data: 'a'.repeat(1000) }])
  const over = runAllChunkings(
    options,
    concat(
      c({ opcode: 1, fin: false, payload: bytes(600) }),
      c({ opcode: 0, payload: bytes(401) }).subarray(0, 8),
    ),
  )
  assert.is(closedEvent(over.events).code, 1009)
  assert.is(closedEvent(over.events).error?.code, 'WS_ERR_MESSAGE_TOO_BIG')
})

limits('control frames do not count toward the message limit', () => {
  const options = { role: 'server' as const, limits: { maxMessageSize: 10 } }
  const { events } = runAllChunkings(
    options,
    concat(
      c({ opcode: 2, fin: false, payload: bytes(5) }),
      c({ opcode: 9, payload: bytes(100) }),
      c({ opcode: 0, payload: bytes(5) }),
    ),
  )
  assert.equal(
    events.map((event) => event.type),
    ['ping', 'binary'],
  )
})

limits('maxFragments: at the cap passes, one more frame fails with 1008', () => {
  const message = (frames: number): Uint8Array =>
    concat(
      ...Array.from({ length: frames }, (_, i) =>
        c({ opcode: i === 0 ? 2 : 0, fin: i === frames - 1, payload: bytes(1) }),
      ),
    )
  const options = { role: 'server' as const, limits: { maxFragments: 100 } }
  assert.is(runAllChunkings(options, message(100)).events[0]?.type, 'binary')
  const over = runAllChunkings(options, message(101))
  assert.is(closedEvent(over.events).code, 1008)
  assert.is(closedEvent(over.events).error?.code, 'WS_ERR_TOO_MANY_FRAGMENTS')
})

limits('a flood of empty fragments is capped by maxFragments', () => {
  const empty = c({ opcode: 0, fin: false })
  const server = new WebSocketConnection({ role: 'server' })
  server.receive(c({ opcode: 2, fin: false }))
  const burst = concat(...Array.from({ length: 1000 }, () => empty))
  let closed = false
  for (let i = 0; i < 200 && !closed; i++) {
    server.receive(burst.slice())
    closed = server.state === 'closed'
  }
  assert.ok(closed)
  assert.is(closedEvent(server.takeEvents()).code, 1008)
})

limits('the Autobahn 9.3.1 shape (65,536 frames of 64 bytes) fits the defaults', () => {
  const frameBytes = c({ opcode: 0, fin: false, payload: bytes(64) })
  const parts = [c({ opcode: 2, fin: false, payload: bytes(64) })]
  for (let i = 1; i < 65535; i++) parts.push(frameBytes)
  parts.push(c({ opcode: 0, payload: bytes(64) }))
  const server = new WebSocketConnection({ role: 'server' })
  server.receive(concat(...parts))
  const events = server.takeEvents()
  assert.is(events.length, 1)
  assert.is((events[0] as { data: Uint8Array }).data.length, 65536 * 64)
})

const queue = suite('queued events')

queue('parsing pauses at maxQueuedEvents and resumes when the events are taken', () => {
  const server = new WebSocketConnection({ role: 'server', limits: { maxQueuedEvents: 3 } })
  const stream = concat(...Array.from({ length: 10 }, (_, i) => c({ opcode: 1, payload: `m${i}` })))
  server.receive(stream)
  assert.is(server.inputPaused, true)
  assert.is(server.takeOutgoing().length, 0)
  const seen: string[] = []
  for (let round = 0; round < 10; round++) {
    const events = server.takeEvents()
    assert.ok(events.length <= 3)
    for (const event of events) seen.push((event as { data: string }).data)
  }
  assert.equal(
    seen,
    Array.from({ length: 10 }, (_, i) => `m${i}`),
  )
  assert.is(server.inputPaused, false)
})

queue('several chunks held while paused are parsed in order across several takes', () => {
  const server = new WebSocketConnection({ role: 'server', limits: { maxQueuedEvents: 2 } })
  for (let chunk = 0; chunk < 3; chunk++) {
    server.receive(concat(...Array.from({ length: 3 }, (_, i) => c({ opcode: 1, payload: `${chunk}.${i}` }))))
  }
  const seen: string[] = []
  for (let events = server.takeEvents(); events.length > 0; events = server.takeEvents()) {
    assert.ok(events.length <= 2)
    for (const event of events) seen.push((event as { data: string }).data)
  }
  assert.equal(seen, ['0.0', '0.1', '0.2', '1.0', '1.1', '1.2', '2.0', '2.1', '2.2'])
})

queue('input that keeps arriving while paused is kept in order, up to maxPendingInput, then 1008', () => {
  const server = new WebSocketConnection({
    role: 'server',
    limits: { maxQueuedEvents: 1, maxPendingInput: 100 },
  })
  server.receive(concat(c({ opcode: 1, payload: 'a' }), c({ opcode: 1, payload: 'b' })))
  server.receive(c({ opcode: 1, payload: 'c' }))
  assert.equal(plain(server.takeEvents()), [{ type: 'text', data: 'a' }])
  assert.equal(plain(server.takeEvents()), [{ type: 'text', data: 'b' }])
  assert.equal(plain(server.takeEvents()), [{ type: 'text', data: 'c' }])
  server.receive(concat(c({ opcode: 1, payload: 'd' }), c({ opcode: 1, payload: 'e' })))
  server.receive(c({ opcode: 2, payload: bytes(100) }))
  const events = server.takeEvents()
  assert.equal(plain(events.slice(0, 1)), [{ type: 'text', data: 'd' }])
  assert.is(closedEvent(events).code, 1008)
  assert.is(closedEvent(events).error?.code, 'WS_ERR_INPUT_OVERFLOW')
})

limits.run()
queue.run()
