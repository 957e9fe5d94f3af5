/**
 * The WebIDL shape of WebSocket, CloseEvent, WebSocketError and WebSocketStream: where each
 * property lives and with which attributes, receiver checks, class strings, function lengths
 * and names, argument counts (WebIDL, WebSockets Standard "Interface definition").
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { defineCloseEvent, CloseEvent as Exported } from '../src/close-event.ts'
import { WebSocketError } from '../src/websocket-error.ts'
import { fakeClasses } from './fake.ts'

const shape = suite('WebIDL shape')
const { WebSocket, WebSocketStream, attempts } = fakeClasses()

function descriptor(target: object, name: PropertyKey): PropertyDescriptor {
  const found = Object.getOwnPropertyDescriptor(target, name)
  assert.ok(found, `${String(name)} is an own property`)
  return found as PropertyDescriptor
}

shape(
  'WebSocket attributes are enumerable, configurable accessors on the prototype, not own properties',
  () => {
    const socket = new WebSocket('ws://127.0.0.1:1/')
    const readonly = ['url', 'readyState', 'bufferedAmount', 'extensions', 'protocol']
    const writable = ['binaryType', 'onopen', 'onmessage', 'onerror', 'onclose']
    for (const name of [...readonly, ...writable]) {
      const found = descriptor(WebSocket.prototype, name)
      assert.type(found.get, 'function', `${name} has a getter`)
      assert.is(found.enumerable, true, `${name} enumerable`)
      assert.is(found.configurable, true, `${name} configurable`)
      assert.is(found.set === undefined, readonly.includes(name), `${name} setter presence`)
      assert.not.ok(Object.hasOwn(socket, name), `${name} is not an own property`)
    }
    assert.is(descriptor(WebSocket.prototype, 'url').get?.name, 'get url')
    assert.is(descriptor(WebSocket.prototype, 'onopen').set?.name, 'set onopen')
    socket.close()
  },
)

shape(
  'constants are on the constructor and the prototype: enumerable, neither writable nor configurable',
  () => {
    const values = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 }
    for (const [name, value] of Object.entries(values)) {
      for (const target of [WebSocket, WebSocket.prototype]) {
        const found = descriptor(target, name)
        assert.equal(
          {
            value: found.value,
            writable: found.writable,
            enumerable: found.enumerable,
            configurable: found.configurable,
          },
          { value, writable: false, enumerable: true, configurable: false },
        )
      }
    }
    assert.throws(() => {
      ;(WebSocket as unknown as { OPEN: number }).OPEN = 5
    }, TypeError)
  },
)

shape('methods are enumerable with WebIDL lengths and names; the class string is WebSocket', () => {
  for (const [name, length] of [
    ['close', 0],
    ['send', 1],
  ] as const) {
    const found = descriptor(WebSocket.prototype, name)
    assert.is(found.enumerable, true)
    assert.is(found.writable, true)
    assert.is(found.configurable, true)
    assert.is((found.value as () => void).length, length, `${name}.length`)
    assert.is((found.value as () => void).name, name)
  }
  assert.is(WebSocket.length, 1)
  assert.is(WebSocket.name, 'WebSocket')
  const tag = descriptor(WebSocket.prototype, Symbol.toStringTag)
  assert.equal([tag.value, tag.writable, tag.enumerable, tag.configurable], ['WebSocket', false, false, true])
  const socket = new WebSocket('ws://127.0.0.1:1/')
  assert.is(Object.prototype.toString.call(socket), '[object WebSocket]')
  assert.ok(socket instanceof EventTarget)
  socket.close()
})

shape('accessors and methods throw TypeError on a receiver that is not a WebSocket', () => {
  const fake = Object.create(WebSocket.prototype)
  for (const name of [
    'url',
    'readyState',
    'bufferedAmount',
    'extensions',
    'protocol',
    'binaryType',
    'onopen',
  ]) {
    const getter = descriptor(WebSocket.prototype, name).get as () => unknown
    assert.throws(() => getter.call(fake), TypeError, name)
    assert.throws(() => getter.call({}), TypeError, name)
  }
  assert.throws(() => WebSocket.prototype.send.call(fake, 'x'), TypeError)
  assert.throws(() => WebSocket.prototype.close.call({}), TypeError)
  const setter = descriptor(WebSocket.prototype, 'binaryType').set as (value: unknown) => void
  assert.throws(() => setter.call({}, 'blob'), TypeError)
})

shape('argument counts: no url, and send() without data, are TypeErrors; calling without new too', () => {
  assert.throws(() => new (WebSocket as unknown as new () => unknown)(), TypeError)
  assert.throws(() => (WebSocket as unknown as () => unknown)(), TypeError)
  const socket = new WebSocket('ws://127.0.0.1:1/')
  assert.throws(() => (socket.send as () => void)(), TypeError)
  socket.close()
})

shape("CloseEvent is the runtime's own where there is one, else ours", () => {
  const native = (globalThis as { CloseEvent?: unknown }).CloseEvent
  if (native === undefined) assert.is.not(Exported, undefined)
  else assert.is(Exported, native)
})

// Ours, whatever the runtime has.
const CloseEvent = defineCloseEvent()

shape(
  'CloseEvent (ours): an Event with wasClean/code/reason from its init dictionary and IDL defaults',
  () => {
    const plain = new CloseEvent('close')
    assert.equal([plain.type, plain.wasClean, plain.code, plain.reason], ['close', false, 0, ''])
    assert.ok(plain instanceof Event)
    const full = new CloseEvent('x', {
      wasClean: 1 as unknown as boolean,
      code: 65536 + 1000,
      reason: 'a\ud800',
      bubbles: true,
    })
    // unsigned short wraps modulo 2^16 (no [Clamp]); USVString replaces the lone surrogate.
    assert.equal([full.wasClean, full.code, full.reason, full.bubbles], [true, 1000, 'a\ufffd', true])
    assert.is(Object.prototype.toString.call(plain), '[object CloseEvent]')
    assert.throws(() => new (CloseEvent as unknown as new () => unknown)(), TypeError)
    for (const name of ['wasClean', 'code', 'reason']) {
      const found = descriptor(CloseEvent.prototype, name)
      assert.is(found.enumerable, true)
      assert.throws(() => (found.get as () => unknown).call(new Event('close')), TypeError)
    }
  },
)

shape('WebSocketError: a DOMException named WebSocketError with closeCode and reason (its IDL)', () => {
  const bare = new WebSocketError()
  assert.ok(bare instanceof DOMException)
  assert.ok(bare instanceof Error)
  assert.equal([bare.name, bare.message, bare.closeCode, bare.reason], ['WebSocketError', '', null, ''])
  const coded = new WebSocketError('boom', { closeCode: 4000, reason: 'why' })
  assert.equal([coded.message, coded.closeCode, coded.reason], ['boom', 4000, 'why'])
  // A reason without a code means 1000.
  assert.is(new WebSocketError('', { reason: 'r' }).closeCode, 1000)
  // [EnforceRange] on closeCode: fractions truncate; NaN, Infinity, out of range are TypeErrors.
  assert.is(new WebSocketError('', { closeCode: 3000.9 }).closeCode, 3000)
  for (const closeCode of [Number.NaN, Infinity, -1, 65536]) {
    assert.throws(() => new WebSocketError('', { closeCode }), TypeError, String(closeCode))
  }
  // Validated like close(): InvalidAccessError for a code, SyntaxError for a long reason.
  assert.throws(
    () => new WebSocketError('', { closeCode: 1001 }),
    (error: Error) => error.name === 'InvalidAccessError',
  )
  assert.throws(
    () => new WebSocketError('', { closeCode: 1000, reason: 'x'.repeat(124) }),
    (error: Error) => error.name === 'SyntaxError',
  )
  assert.throws(() => new WebSocketError('', 5 as never), TypeError)
  assert.is(Object.prototype.toString.call(coded), '[object WebSocketError]')
  assert.is(WebSocketError.name, 'WebSocketError')
  assert.is(WebSocketError.length, 0)
  for (const name of ['closeCode', 'reason']) {
    const found = descriptor(WebSocketError.prototype, name)
    assert.is(found.enumerable, true)
    assert.throws(() => (found.get as () => unknown).call(new DOMException('x')), TypeError)
  }
})

shape(
  'WebSocketStream: accessors and close() on the prototype; promise attributes reject on a bad receiver',
  async () => {
    for (const name of ['url', 'opened', 'closed']) {
      const found = descriptor(WebSocketStream.prototype, name)
      assert.is(found.enumerable, true)
      assert.type(found.get, 'function')
    }
    assert.is((descriptor(WebSocketStream.prototype, 'close').value as () => void).length, 0)
    assert.is(WebSocketStream.length, 1)
    assert.is(WebSocketStream.name, 'WebSocketStream')
    const opened = descriptor(WebSocketStream.prototype, 'opened').get as () => Promise<unknown>
    let rejected: unknown
    await opened.call({}).catch((error: unknown) => {
      rejected = error
    })
    assert.instance(rejected, TypeError)
    assert.throws(
      () => (descriptor(WebSocketStream.prototype, 'url').get as () => unknown).call({}),
      TypeError,
    )
    assert.throws(() => new (WebSocketStream as unknown as new () => unknown)(), TypeError)
    const stream = new WebSocketStream('ws://127.0.0.1:1/')
    assert.is(Object.prototype.toString.call(stream), '[object WebSocketStream]')
    stream.close()
    await stream.closed.catch(() => {})
    attempts.length = 0
  },
)

shape.run()
