/**
 * The `allocate` connection option (buffers for joined messages and frames over 2 KiB), and
 * frame building under both masking kernels: every frame, read back by the independent parser
 * in wire.ts, carries the payload, whatever the payload's length and byte alignment.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import { WebSocketConnection } from '../src/index.ts'
import { setMaskingKernel } from '../src/mask.ts'
import { concat, frame, MASK, parseFrames, seededFill, throwsKind } from './wire.ts'

/** An allocator that records what it handed out. */
function recording(): { allocate: (size: number) => Uint8Array; given: Uint8Array[] } {
  const given: Uint8Array[] = []
  return {
    given,
    allocate: (size) => {
      const bytes = new Uint8Array(size).fill(0xcc)
      given.push(bytes)
      return bytes
    },
  }
}

const option = suite('the allocate option')

option('a message split across chunks is joined in a buffer from the allocator', () => {
  const { allocate, given } = recording()
  const server = new WebSocketConnection({ role: 'server', allocate })
  const payload = new Random(41).bytes(70000)
  const wire = frame({ opcode: 2, payload, mask: [...MASK] })
  server.receive(wire.slice(0, 30000))
  server.receive(wire.slice(30000))
  const [event] = server.takeEvents()
  assert.is(event?.type, 'binary')
  assert.is(given.length, 1)
  assert.is((event as { data: Uint8Array }).data, given[0])
  assert.equal(given[0], payload)
})

option('a message that arrives in one chunk is a view of it, with no allocation', () => {
  const { allocate, given } = recording()
  const server = new WebSocketConnection({ role: 'server', allocate })
  const payload = new Random(42).bytes(5000)
  const wire = frame({ opcode: 2, payload, mask: [...MASK] })
  server.receive(wire)
  const [event] = server.takeEvents()
  assert.is(given.length, 0)
  assert.is((event as { data: Uint8Array }).data.buffer, wire.buffer)
  assert.equal((event as { data: Uint8Array }).data, payload)
})

option('frames over 2 KiB come from the allocator, smaller ones do not', () => {
  for (const role of ['client', 'server'] as const) {
    const { allocate, given } = recording()
    const connection = new WebSocketConnection({ role, allocate, randomFill: seededFill(3) })
    const small = new Random(43).bytes(2000)
    const large = new Random(44).bytes(3000)
    connection.sendBinary(small)
    assert.is(given.length, 0, role)
    connection.sendBinary(large)
    assert.is(given.length, 1, role)
    const out = connection.takeOutgoing()
    assert.is(out[1], given[0])
    const frames = parseFrames(concat(...out))
    assert.equal(
      frames.map((f) => [f.masked, f.payload]),
      [
        [role === 'client', small],
        [role === 'client', large],
      ],
    )
  }
})

option('a bad allocator is a clear error', () => {
  throwsKind(
    () => new WebSocketConnection({ role: 'client', allocate: 5 as unknown as () => Uint8Array }),
    TypeError,
    /allocate must be a function/,
  )
  for (const wrong of [
    (size: number) => new Uint8Array(size - 1),
    () => [1, 2, 3] as unknown as Uint8Array,
  ]) {
    const client = new WebSocketConnection({ role: 'client', allocate: wrong })
    throwsKind(
      () => client.sendBinary(new Uint8Array(3000)),
      TypeError,
      /must return a Uint8Array of 3008 bytes/,
    )
  }
})

const building = suite('frame building under both masking kernels')

const SIZES = [0, 1, 63, 64, 65, 125, 126, 511, 512, 513, 1024, 2034, 2035, 3000, 16390, 65535, 65536, 70001]

for (const kernel of ['wasm', 'typescript'] as const) {
  building(`${kernel}: every size around the thresholds, payload at byte offsets 0-3`, () => {
    assert.is(setMaskingKernel(kernel), kernel)
    const random = new Random(45)
    const client = new WebSocketConnection({ role: 'client', randomFill: seededFill(5) })
    const kept: Uint8Array[] = []
    const sent: Uint8Array[] = []
    for (const size of SIZES) {
      for (let offset = 0; offset < 4; offset++) {
        const backing = random.bytes(size + 4)
        const payload = backing.subarray(offset, offset + size)
        const before = backing.slice()
        client.sendBinary(payload)
        assert.equal(backing, before, 'the caller’s bytes are left alone')
        sent.push(payload.slice())
        kept.push(...client.takeOutgoing())
      }
    }
    // Read back only now: frames cut from shared slabs never overlap or change later.
    const frames = parseFrames(concat(...kept))
    assert.is(frames.length, sent.length)
    for (const [index, parsed] of frames.entries()) {
      assert.ok(parsed.masked && parsed.fin && parsed.opcode === 2)
      assert.equal(parsed.payload, sent[index], `frame ${index}`)
    }
    setMaskingKernel('wasm')
  })
}

option.run()
building.run()
