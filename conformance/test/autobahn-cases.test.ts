// The Autobahn case definitions of families 1-7 and 10, checked without sockets: a recording
// fake peer stands in for the fuzzer, and the grading runs on synthetic connection outcomes.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  bytesOf,
  type Case,
  type CaseEntry,
  type ConnectionOutcome,
  type Peer,
  type PeerState,
  type SendFrameOptions,
} from '../src/autobahn/case.ts'
import { family1 } from '../src/autobahn/cases/family1.ts'
import { family2 } from '../src/autobahn/cases/family2.ts'
import { family3 } from '../src/autobahn/cases/family3.ts'
import { family4 } from '../src/autobahn/cases/family4.ts'
import { family5 } from '../src/autobahn/cases/family5.ts'
import { family6 } from '../src/autobahn/cases/family6.ts'
import { family7 } from '../src/autobahn/cases/family7.ts'
import { family10 } from '../src/autobahn/cases/family10.ts'

type Call =
  | { kind: 'frame'; frame: SendFrameOptions }
  | { kind: 'message'; payload: Uint8Array; binary: boolean; autoFragmentSize: number }
  | { kind: 'close'; code: number | undefined; reason: Uint8Array | undefined }
  | { kind: 'closeFrame'; payload: Uint8Array }
  | { kind: 'beginMessage'; binary: boolean | undefined }
  | { kind: 'beginMessageFrame'; length: number }
  | { kind: 'frameData'; data: Uint8Array }
  | { kind: 'endMessage' }
  | { kind: 'continueLater'; seconds: number }
  | { kind: 'killAfter'; seconds: number }
  | { kind: 'closeAfter'; seconds: number }

/** Records what a case asks of the fuzzer; `continueLater` callbacks run only when asked to. */
class FakePeer implements Peer {
  state: PeerState = 'OPEN'
  compressing = false
  autoFragmentSize = 0
  calls: Call[] = []
  private pending: (() => void)[] = []

  constructor(readonly isServer = false) {}

  sendFrame(frame: SendFrameOptions): void {
    this.calls.push({ kind: 'frame', frame })
  }
  sendMessage(payload: Uint8Array | string, binary: boolean): void {
    this.calls.push({
      kind: 'message',
      payload: bytesOf(payload),
      binary,
      autoFragmentSize: this.autoFragmentSize,
    })
  }
  sendClose(code?: number, reason?: Uint8Array | string): void {
    this.calls.push({ kind: 'close', code, reason: reason === undefined ? undefined : bytesOf(reason) })
  }
  sendCloseFrame(payload: Uint8Array | string): void {
    this.calls.push({ kind: 'closeFrame', payload: bytesOf(payload) })
  }
  beginMessage(binary?: boolean): void {
    this.calls.push({ kind: 'beginMessage', binary })
  }
  beginMessageFrame(length: number): void {
    this.calls.push({ kind: 'beginMessageFrame', length })
  }
  sendMessageFrameData(data: Uint8Array | string): void {
    this.calls.push({ kind: 'frameData', data: bytesOf(data) })
  }
  endMessage(): void {
    this.calls.push({ kind: 'endMessage' })
  }
  continueLater(seconds: number, fn: () => void): void {
    this.calls.push({ kind: 'continueLater', seconds })
    this.pending.push(fn)
  }
  killAfter(seconds: number): void {
    this.calls.push({ kind: 'killAfter', seconds })
  }
  closeAfter(seconds: number): void {
    this.calls.push({ kind: 'closeAfter', seconds })
  }

  /** Runs the oldest pending `continueLater` callback; false when there is none. */
  runNext(): boolean {
    const fn = this.pending.shift()
    if (fn === undefined) return false
    fn()
    return true
  }

  frames(): SendFrameOptions[] {
    return this.calls.flatMap((call) => (call.kind === 'frame' ? [call.frame] : []))
  }

  of<K extends Call['kind']>(kind: K): Extract<Call, { kind: K }>[] {
    return this.calls.filter((call): call is Extract<Call, { kind: K }> => call.kind === kind)
  }
}

const families: [string, CaseEntry[], number][] = [
  ['1', family1, 16],
  ['2', family2, 11],
  ['3', family3, 7],
  ['4', family4, 10],
  ['5', family5, 20],
  ['6', family6, 145],
  ['7', family7, 37],
  ['10', family10, 1],
]
const all = families.flatMap(([, entries]) => entries)

function entryOf(id: string): CaseEntry {
  const found = all.find((e) => e.id === id)
  if (found === undefined) throw new Error(`no case ${id}`)
  return found
}

/** A fresh case attached to a fake peer, opened. */
function open(id: string, isServer = false): { c: Case; peer: FakePeer } {
  const c = entryOf(id).create()
  const peer = new FakePeer(isServer)
  c.p = peer
  c.init()
  c.onOpen()
  return { c, peer }
}

function outcome(partial: Partial<ConnectionOutcome>): ConnectionOutcome {
  return { closedByMe: false, droppedByMe: false, wasClean: false, remoteCloseCode: null, ...partial }
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true })
function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictDecoder.decode(bytes)
    return true
  } catch {
    return false
  }
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')
const seq = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`)

/** The ids in the order of Autobahn's `Cases` list (case/__init__.py), without 9, 12 and 13. */
const REGISTRY_ORDER = [
  ...seq('1.1.', 8),
  ...seq('1.2.', 8),
  ...seq('2.', 11),
  ...seq('3.', 7),
  ...seq('4.1.', 5),
  ...seq('4.2.', 5),
  ...seq('5.', 20),
  ...seq('6.1.', 3),
  ...seq('6.2.', 4),
  ...seq('6.3.', 2),
  ...seq('6.4.', 4),
  ...[5, 11, 4, 2, 4, 3, 5, 8, 5, 10, 1, 3, 5, 5, 5, 7, 8, 34, 7].flatMap((n, i) => seq(`6.${i + 5}.`, n)),
  ...seq('7.1.', 6),
  ...seq('7.3.', 6),
  '7.5.1',
  ...seq('7.7.', 13),
  ...seq('7.9.', 9),
  ...seq('7.13.', 2),
  '10.1.1',
]

test('ids are unique, exactly Autobahn’s, and in registry order', () => {
  const ids = all.map((e) => e.id)
  assert.is(new Set(ids).size, ids.length)
  assert.equal(ids, REGISTRY_ORDER)
})

test('per-family counts match the reference (247 in all)', () => {
  for (const [name, entries, count] of families) {
    assert.is(entries.length, count, `family ${name}`)
    for (const e of entries) assert.ok(e.id.startsWith(`${name}.`), e.id)
  }
  assert.is(all.length, 247)
})

test('every case creates, opens on a fake peer, and ends through a timer of its own', () => {
  for (const e of all) {
    assert.ok(e.description.length > 0 && e.expectation.length > 0, e.id)
    const a = e.create()
    const b = e.create()
    assert.is.not(a, b, `${e.id}: create() returns fresh instances`)
    const { c, peer } = open(e.id)
    assert.ok(c.expected.OK !== undefined, `${e.id}: an OK expectation`)
    assert.ok(c.expectedClose.closeCode.length > 0, `${e.id}: accepted close codes`)
    assert.ok(peer.calls.length > 0, `${e.id}: sends something`)
    while (peer.runNext()) {}
    const timers = peer.of('killAfter').length + peer.of('closeAfter').length
    assert.is(timers, 1, `${e.id}: one killAfter or closeAfter`)
    const scheduled = [...peer.of('continueLater'), ...peer.of('killAfter'), ...peer.of('closeAfter')].reduce(
      (total, call) => total + call.seconds,
      0,
    )
    assert.ok(
      scheduled < c.timeoutSeconds,
      `${e.id}: the fuzzer's timers end the case before the runner gives up`,
    )
  }
})

test('1.x: one frame of the listed length, text of "*" or binary of 0xfe, echo expected', () => {
  const lengths = [0, 125, 126, 127, 128, 65535, 65536, 65536]
  for (const [sub, opcode, byte, binary] of [
    [1, 1, 0x2a, false],
    [2, 2, 0xfe, true],
  ] as const) {
    lengths.forEach((length, i) => {
      const id = `1.${sub}.${i + 1}`
      const { c, peer } = open(id)
      const frames = peer.frames()
      assert.is(frames.length, 1, id)
      const frame = frames[0] as SendFrameOptions
      assert.is(frame.opcode, opcode, id)
      const payload = bytesOf(frame.payload ?? '')
      assert.is(payload.length, length, id)
      assert.ok(
        payload.every((b) => b === byte),
        id,
      )
      assert.is(frame.chopsize, i === 7 ? 997 : undefined, id)
      assert.equal(peer.of('killAfter'), [{ kind: 'killAfter', seconds: length >= 65535 ? 10 : 1 }], id)
      const expected = c.expected.OK?.[0]
      assert.ok(expected !== undefined && expected[0] === 'message' && expected[2] === binary, id)
      assert.is(bytesOf(expected?.[1] ?? '').length, length, id)
    })
  }
})

test('1.1.1: the echo makes the fuzzer close with 1000, and a clean close grades OK', () => {
  const { c, peer } = open('1.1.1')
  c.onMessage(new Uint8Array(0), false)
  assert.equal(peer.of('close'), [{ kind: 'close', code: 1000, reason: undefined }])
  c.onConnectionLost(outcome({ closedByMe: true, wasClean: true, remoteCloseCode: 1000 }))
  assert.is(c.behavior, 'OK')
  assert.is(c.behaviorClose, 'OK')
})

test('1.2.1: a text echo of a binary message does not match', () => {
  const { c, peer } = open('1.2.1')
  c.onMessage(new Uint8Array(0), false)
  assert.is(peer.of('close').length, 0)
  c.onConnectionLost(outcome({ closedByMe: true, droppedByMe: true }))
  assert.is(c.behavior, 'FAILED')
})

test('2.x: pings, pongs and their payloads', () => {
  const ping = (id: string) => open(id).peer.frames()
  assert.equal(ping('2.1'), [{ opcode: 9 }])
  assert.is(bytesOf(ping('2.2')[0]?.payload ?? '').length, 13)
  assert.is(hex(bytesOf(ping('2.3')[0]?.payload ?? '')), '00 ff fe fd fc fb 00 ff')
  assert.is(bytesOf(ping('2.4')[0]?.payload ?? '').length, 125)
  const { c: c25, peer: p25 } = open('2.5')
  const f25 = p25.frames()
  assert.is(f25.length, 1)
  assert.is(f25[0]?.opcode, 9)
  assert.is(bytesOf(f25[0]?.payload ?? '').length, 126)
  assert.equal(c25.expectedClose, { closedByMe: false, closeCode: [1002], requireClean: false })
  assert.equal(p25.of('killAfter'), [{ kind: 'killAfter', seconds: 1 }])
  const f26 = ping('2.6')
  assert.is(f26[0]?.chopsize, 1)
  assert.is(bytesOf(f26[0]?.payload ?? '').length, 125)
  const { peer: p27 } = open('2.7')
  assert.equal(p27.calls, [
    { kind: 'frame', frame: { opcode: 10 } },
    { kind: 'close', code: 1000, reason: undefined },
    { kind: 'closeAfter', seconds: 1 },
  ])
  assert.equal(
    ping('2.9').map((f) => f.opcode),
    [10, 9],
  )
})

test('2.10 / 2.11: ten pings in order, 2.11 octet-wise; ten pongs in order expected', () => {
  for (const [id, chopsize] of [
    ['2.10', undefined],
    ['2.11', 1],
  ] as const) {
    const { c, peer } = open(id)
    const frames = peer.frames()
    assert.is(frames.length, 10, id)
    frames.forEach((f, i) => {
      assert.is(f.opcode, 9)
      assert.is(f.payload, `payload-${i}`)
      assert.is(f.chopsize, chopsize)
    })
    assert.equal(
      c.expected.OK,
      frames.map((f) => ['pong', f.payload]),
    )
    assert.equal(peer.of('closeAfter'), [{ kind: 'closeAfter', seconds: 3 }])
    for (let i = 0; i < 9; i++) c.onPong(bytesOf(`payload-${i}`))
    assert.is(peer.of('close').length, 0, 'no close before the tenth pong')
    c.onPong(bytesOf('payload-9'))
    assert.equal(peer.of('close'), [{ kind: 'close', code: 1000, reason: undefined }])
  }
})

test('3.x: RSV values 1..7 on the frame that must fail the connection', () => {
  const rsvFrame = (id: string) =>
    open(id)
      .peer.frames()
      .find((f) => (f.rsv ?? 0) !== 0)
  const shapes: [string, number, number][] = [
    ['3.1', 1, 1],
    ['3.2', 2, 1],
    ['3.3', 3, 1],
    ['3.4', 4, 1],
    ['3.5', 5, 2],
    ['3.6', 6, 2],
    ['3.7', 7, 8],
  ]
  for (const [id, rsv, opcode] of shapes) {
    const frame = rsvFrame(id)
    assert.is(frame?.rsv, rsv, id)
    assert.is(frame?.opcode, opcode, id)
  }
  assert.ok(
    open('3.3')
      .peer.frames()
      .every((f) => f.sync === true),
  )
  assert.ok(
    open('3.4')
      .peer.frames()
      .every((f) => f.chopsize === 1),
  )
})

test('3.2: no echo is NON-STRICT, the echo is OK, a fuzzer-side kill fails the close', () => {
  const { c } = open('3.2')
  assert.equal(c.expected['NON-STRICT'], [])
  c.onConnectionLost(outcome({ closedByMe: false, remoteCloseCode: 1002 }))
  assert.is(c.behavior, 'NON-STRICT')
  assert.is(c.behaviorClose, 'OK')

  const { c: echoed } = open('3.2')
  echoed.onMessage(bytesOf('Hello, world!'), false)
  echoed.onConnectionLost(outcome({ closedByMe: false, remoteCloseCode: 1002 }))
  assert.is(echoed.behavior, 'OK')

  const { c: ignored } = open('3.2')
  ignored.onConnectionLost(outcome({ closedByMe: true, droppedByMe: true }))
  assert.is(ignored.behaviorClose, 'FAILED')
  assert.is(ignored.behavior, 'NON-STRICT', 'outside family 6 the main verdict stands')
})

test('4.x: reserved opcodes 3-7 and 11-15, 4.x.5 octet-wise', () => {
  const ids = ['4.1.1', '4.1.2', '4.1.3', '4.1.4', '4.1.5', '4.2.1', '4.2.2', '4.2.3', '4.2.4', '4.2.5']
  const opcodes = [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]
  ids.forEach((id, i) => {
    const { c, peer } = open(id)
    const frames = peer.frames()
    const reserved = frames.filter((f) => ![1, 9].includes(f.opcode))
    assert.equal(
      reserved.map((f) => f.opcode),
      [opcodes[i]],
      id,
    )
    const third = i % 5 >= 2
    assert.is(frames.length, third ? 3 : 1, id)
    assert.is(c.expected['NON-STRICT'] !== undefined, third, id)
    assert.is(
      frames.every((f) => f.chopsize === 1),
      i % 5 === 4,
      id,
    )
    assert.equal(c.expectedClose, { closedByMe: false, closeCode: [1002], requireClean: false }, id)
  })
})

test('5.x: fragmentation shapes', () => {
  const ops = (id: string) =>
    open(id)
      .peer.frames()
      .map((f) => [f.opcode, f.fin ?? true])
  assert.equal(ops('5.1'), [
    [9, false],
    [0, true],
  ])
  assert.equal(ops('5.2'), [
    [10, false],
    [0, true],
  ])
  assert.equal(ops('5.6'), [
    [1, false],
    [9, true],
    [0, true],
  ])
  assert.equal(ops('5.12'), [
    [0, false],
    [1, true],
  ])
  assert.equal(ops('5.16'), [
    [0, false],
    [1, false],
    [0, true],
    [0, false],
    [1, false],
    [0, true],
  ])
  assert.equal(ops('5.17').slice(0, 3), [
    [0, true],
    [1, false],
    [0, true],
  ])
  assert.equal(ops('5.18'), [
    [1, false],
    [1, true],
  ])
  assert.ok(
    open('5.4')
      .peer.frames()
      .every((f) => f.sync === true),
  )
  assert.ok(
    open('5.8')
      .peer.frames()
      .every((f) => f.chopsize === 1),
  )
  const { c: c515 } = open('5.15')
  assert.equal(c515.expected.OK, [['message', 'fragment1fragment2', false]])
  assert.equal(c515.expected['NON-STRICT'], [])
})

test('5.19 / 5.20: two frames and a ping, a 1 s pause, the rest; pongs come before the echo', () => {
  for (const [id, sync] of [
    ['5.19', false],
    ['5.20', true],
  ] as const) {
    const { c, peer } = open(id)
    assert.is(peer.frames().length, 3)
    assert.equal(peer.of('continueLater'), [{ kind: 'continueLater', seconds: 1 }])
    assert.is(peer.of('closeAfter').length, 0)
    assert.ok(peer.runNext())
    const frames = peer.frames()
    assert.equal(
      frames.map((f) => f.opcode),
      [1, 0, 9, 0, 0, 9, 0],
    )
    assert.ok(frames.every((f) => f.sync === sync))
    assert.equal(peer.of('closeAfter'), [{ kind: 'closeAfter', seconds: 1 }])
    assert.equal(c.expected.OK, [
      ['pong', 'pongme 1!'],
      ['pong', 'pongme 2!'],
      ['message', 'fragment1fragment2fragment3fragment4fragment5', false],
    ])
  }
})

test('6.2.x: valid UTF-8 whole, on a code point boundary, and in 1-octet frames', () => {
  const { c: whole, peer: p1 } = open('6.2.1')
  const [m1] = p1.of('message')
  assert.ok(m1 !== undefined && isValidUtf8(m1.payload) && m1.binary === false && m1.autoFragmentSize === 0)
  assert.equal(whole.expected.OK, [['message', 'Hello-µ@ßöäüàá-UTF-8!!', false]])
  const p2 = open('6.2.2').peer.frames()
  const joined = new Uint8Array([...bytesOf(p2[0]?.payload ?? ''), ...bytesOf(p2[1]?.payload ?? '')])
  assert.ok(isValidUtf8(bytesOf(p2[0]?.payload ?? '')) && isValidUtf8(joined))
  for (const id of ['6.2.3', '6.2.4']) {
    const { peer } = open(id)
    const [m] = peer.of('message')
    assert.is(m?.autoFragmentSize, 1, `${id}: 1-octet frames`)
    assert.is(peer.autoFragmentSize, 0, `${id}: the setting is restored`)
  }
  assert.is(
    hex(open('6.2.4').peer.of('message')[0]?.payload ?? new Uint8Array()),
    'ce ba e1 bd b9 cf 83 ce bc ce b5',
  )
})

test('6.3.x: the surrogate message, whole and octet-wise, must fail with 1007', () => {
  for (const [id, size] of [
    ['6.3.1', 0],
    ['6.3.2', 1],
  ] as const) {
    const { c, peer } = open(id)
    const [m] = peer.of('message')
    assert.is(
      hex(m?.payload ?? new Uint8Array()),
      'ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64',
    )
    assert.is(m?.autoFragmentSize, size)
    assert.not.ok(isValidUtf8(m?.payload ?? new Uint8Array()))
    assert.equal(c.expectedClose, {
      closedByMe: false,
      closeCode: [1007],
      requireClean: false,
      closedByWrongEndpointIsFatal: true,
    })
  }
})

test('6.4.3: one frame announced whole, trickled in 3 chunks with 1 s pauses', () => {
  const { c, peer } = open('6.4.3')
  assert.equal(peer.calls, [
    { kind: 'beginMessage', binary: undefined },
    { kind: 'beginMessageFrame', length: 21 },
    {
      kind: 'frameData',
      data: Uint8Array.from([0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xce, 0xbc, 0xce, 0xb5]),
    },
    { kind: 'continueLater', seconds: 1 },
  ])
  assert.ok(peer.runNext())
  assert.equal(c.received, [['timeout', 'A']])
  assert.equal(peer.calls.slice(4), [
    { kind: 'frameData', data: Uint8Array.from([0xf4, 0x90, 0x80, 0x80]) },
    { kind: 'continueLater', seconds: 1 },
  ])
  assert.ok(peer.runNext())
  assert.equal(c.received, [
    ['timeout', 'A'],
    ['timeout', 'B'],
  ])
  assert.equal(peer.calls.slice(6), [
    { kind: 'frameData', data: bytesOf('edited') },
    { kind: 'endMessage' },
    { kind: 'killAfter', seconds: 1 },
  ])
  assert.not.ok(peer.runNext())
})

test('6.4.x: the split points, and what each outcome grades', () => {
  const chunks = (id: string) => {
    const { peer } = open(id)
    while (peer.runNext()) {}
    return [
      ...peer.frames().map((f) => hex(bytesOf(f.payload ?? ''))),
      ...peer.of('frameData').map((d) => hex(d.data)),
    ]
  }
  const breaking = ['ce ba e1 bd b9 cf 83 ce bc ce b5 f4', '90', '80 80 65 64 69 74 65 64']
  assert.equal(chunks('6.4.2'), breaking)
  assert.equal(chunks('6.4.4'), breaking)
  assert.equal(chunks('6.4.1'), chunks('6.4.3'))
  for (const id of ['6.4.1', '6.4.2', '6.4.3', '6.4.4']) {
    // Failed during the first pause after the invalid byte: OK.
    const fast = open(id)
    fast.peer.runNext()
    fast.peer.state = 'CLOSED'
    fast.c.onConnectionLost(outcome({ closedByMe: false, remoteCloseCode: 1007 }))
    assert.is(fast.c.behavior, 'OK', id)
    assert.is(fast.c.behaviorClose, 'OK', id)
    const callsBefore = fast.peer.calls.length
    assert.ok(fast.peer.runNext(), `${id}: the second pause ends`)
    assert.is(fast.peer.calls.length, callsBefore, `${id}: nothing more is sent once closed`)
    assert.equal(fast.c.received, [['timeout', 'A']])
    // Failed only once the whole message arrived: NON-STRICT.
    const slow = open(id)
    slow.peer.runNext()
    slow.peer.runNext()
    slow.c.onConnectionLost(outcome({ closedByMe: false, remoteCloseCode: 1007 }))
    assert.is(slow.c.behavior, 'NON-STRICT', id)
    // Never noticed, the fuzzer's kill timer fired: both verdicts FAILED.
    const never = open(id)
    never.peer.runNext()
    never.peer.runNext()
    never.c.onConnectionLost(outcome({ closedByMe: true, droppedByMe: true }))
    assert.is(never.c.behavior, 'FAILED', id)
    assert.is(never.c.behaviorClose, 'FAILED', id)
  }
})

/** Sub-family of 6.5-6.23: count, number of valid sequences (the reference doc's table). */
const UTF8_TABLE: [number, number, number][] = [
  [5, 5, 5],
  [6, 11, 5],
  [7, 4, 4],
  [8, 2, 0],
  [9, 4, 4],
  [10, 3, 0],
  [11, 5, 4],
  [12, 8, 0],
  [13, 5, 0],
  [14, 10, 0],
  [15, 1, 0],
  [16, 3, 0],
  [17, 5, 0],
  [18, 5, 0],
  [19, 5, 0],
  [20, 7, 0],
  [21, 8, 0],
  [22, 34, 34],
  [23, 7, 7],
]

test('6.5-6.23: the valid/invalid split of the doc, each flag confirmed by a strict TextDecoder', () => {
  let validTotal = 0
  let invalidTotal = 0
  for (const [sub, count, validCount] of UTF8_TABLE) {
    const entries = family6.filter((e) => e.id.startsWith(`6.${sub}.`))
    assert.is(entries.length, count, `6.${sub}`)
    let validHere = 0
    for (const e of entries) {
      const { c, peer } = open(e.id)
      const messages = peer.of('message')
      assert.is(messages.length, 1, e.id)
      const m = messages[0]
      if (m === undefined) continue
      assert.is(m.binary, false, e.id)
      assert.is(m.autoFragmentSize, 0, e.id)
      assert.ok(e.description.endsWith(`Payload: 0x${hex(m.payload).replaceAll(' ', '')}`), e.id)
      assert.equal(peer.of('killAfter'), [{ kind: 'killAfter', seconds: 0.5 }], e.id)
      const expectsEcho = c.expected.OK?.length === 1
      if (expectsEcho) {
        validHere++
        assert.ok(isValidUtf8(m.payload), `${e.id} expects an echo, so ${hex(m.payload)} must be valid UTF-8`)
        assert.equal(c.expected.OK, [['message', m.payload, false]], e.id)
        assert.equal(c.expectedClose, { closedByMe: true, closeCode: [1000], requireClean: true }, e.id)
      } else {
        assert.not.ok(
          isValidUtf8(m.payload),
          `${e.id} expects 1007, so ${hex(m.payload)} must be invalid UTF-8`,
        )
        assert.equal(c.expected.OK, [], e.id)
        assert.equal(c.expectedClose.closeCode, [1007], e.id)
        assert.is(c.expectedClose.closedByMe, false, e.id)
        assert.is(c.expectedClose.closedByWrongEndpointIsFatal, true, e.id)
      }
    }
    assert.is(validHere, validCount, `6.${sub} valid count`)
    validTotal += validHere
    invalidTotal += count - validHere
  }
  assert.is(validTotal, 63)
  assert.is(invalidTotal, 69)
})

test('6.x UTF-8 sequences: spot checks of the generated payloads', () => {
  const payload = (id: string) => hex(open(id).peer.of('message')[0]?.payload ?? new Uint8Array())
  assert.is(payload('6.5.1'), hex(bytesOf('hello$world')))
  assert.is(payload('6.6.5'), 'ce ba e1 bd b9')
  assert.is(payload('6.12.8').split(' ').length, 0xbf - 0x80)
  assert.is(payload('6.13.1').split(' ').length, 2 * (0xdf - 0xc0))
  assert.is(payload('6.13.5'), 'fc 20')
  assert.is(payload('6.15.1').split(' ').length, 30)
  assert.is(payload('6.22.3'), 'f0 9f bf be')
  assert.is(payload('6.22.34'), 'f4 8f bf bf')
  assert.is(payload('6.23.5'), 'ef bf bd')
})

test('6.x: an invalid sequence the fuzzer had to close fails both verdicts; a valid echo passes', () => {
  const { c } = open('6.8.1')
  c.onConnectionLost(outcome({ closedByMe: true, droppedByMe: true }))
  assert.is(c.behaviorClose, 'FAILED')
  assert.is(c.behavior, 'FAILED')

  const { c: failedRight } = open('6.8.1')
  failedRight.onConnectionLost(outcome({ closedByMe: false, remoteCloseCode: 1007 }))
  assert.is(failedRight.behavior, 'OK')
  assert.is(failedRight.behaviorClose, 'OK')

  const { c: wrongCode } = open('6.8.1')
  wrongCode.onConnectionLost(outcome({ closedByMe: false, remoteCloseCode: 1002 }))
  assert.is(wrongCode.behaviorClose, 'WRONG CODE')

  const { c: echo, peer } = open('6.5.1')
  echo.onMessage(bytesOf('hello$world'), false)
  assert.equal(peer.of('close'), [{ kind: 'close', code: 1000, reason: undefined }])
  echo.onConnectionLost(outcome({ closedByMe: true, wasClean: true, remoteCloseCode: 1000 }))
  assert.is(echo.behavior, 'OK')
  assert.is(echo.behaviorClose, 'OK')
})

test('7.1.x: what follows the fuzzer’s close', () => {
  const { c: c711, peer: p711 } = open('7.1.1')
  c711.onMessage(bytesOf('Hello World!'), false)
  assert.equal(p711.of('close'), [{ kind: 'close', code: 1000, reason: undefined }])
  const shapes: [string, Call['kind'][]][] = [
    ['7.1.2', ['close', 'frame', 'killAfter']],
    ['7.1.3', ['close', 'frame', 'killAfter']],
    ['7.1.4', ['close', 'frame', 'killAfter']],
    ['7.1.5', ['frame', 'close', 'frame', 'killAfter']],
    ['7.1.6', ['frame', 'frame', 'close', 'frame', 'killAfter']],
  ]
  for (const [id, kinds] of shapes) {
    const { c, peer } = open(id)
    assert.equal(
      peer.calls.map((call) => call.kind),
      kinds,
      id,
    )
    assert.ok(c.suppressClose, id)
  }
  assert.equal(open('7.1.2').peer.frames(), [{ opcode: 8 }])
  const big = open('7.1.6').peer.frames()[0]
  assert.equal(big, { opcode: 1, payload: 'BAsd7&jh23', payloadLen: 262144 })
})

test('7.1.6: informational whatever happens, the result says which', () => {
  const { c } = open('7.1.6')
  c.onMessage(bytesOf('Hello World!'), false)
  c.onConnectionLost(outcome({ closedByMe: true, wasClean: true, remoteCloseCode: 1000 }))
  assert.is(c.behavior, 'INFORMATIONAL')
  assert.is(c.behaviorClose, 'INFORMATIONAL')
  assert.is(c.result, 'Text message was processed before close.')
  const { c: dropped } = open('7.1.6')
  dropped.onConnectionLost(outcome({ closedByMe: true, droppedByMe: true }))
  assert.is(dropped.behavior, 'INFORMATIONAL')
  assert.is(dropped.result, 'Close was processed before text message could be returned.')
})

test('7.3.x / 7.5.1: close payload lengths and values', () => {
  const close = (id: string) => open(id).peer.of('close')
  assert.equal(close('7.3.1'), [{ kind: 'close', code: undefined, reason: undefined }])
  assert.equal(open('7.3.2').peer.of('closeFrame'), [{ kind: 'closeFrame', payload: bytesOf('a') }])
  assert.equal(open('7.3.2').peer.frames(), [])
  assert.equal(close('7.3.3'), [{ kind: 'close', code: 1000, reason: undefined }])
  assert.equal(close('7.3.4'), [{ kind: 'close', code: 1000, reason: bytesOf('Hello World!') }])
  assert.is(close('7.3.5')[0]?.reason?.length, 123)
  assert.is(close('7.3.6')[0]?.reason?.length, 124)
  const [c751] = close('7.5.1')
  assert.is(c751?.code, 1000)
  assert.not.ok(isValidUtf8(c751?.reason ?? new Uint8Array()))
  assert.equal(open('7.5.1').c.expectedClose.closeCode, [1002, 1007])
  for (const id of ['7.3.2', '7.3.6']) {
    assert.equal(open(id).c.expectedClose, { closedByMe: true, closeCode: [1002], requireClean: false }, id)
  }
})

test('7.7.x / 7.9.x / 7.13.x: close codes sent and accepted', () => {
  const sent = (prefix: string) =>
    family7.filter((e) => e.id.startsWith(prefix)).map((e) => open(e.id).peer.of('close')[0]?.code)
  assert.equal(sent('7.7.'), [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999])
  assert.equal(sent('7.9.'), [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999])
  assert.equal(sent('7.13.'), [5000, 65535])
  assert.equal(open('7.7.10').c.expectedClose, {
    closedByMe: true,
    closeCode: [1000, 3000],
    requireClean: true,
  })
  assert.equal(open('7.9.1').c.expectedClose, { closedByMe: true, closeCode: [1002], requireClean: false })
  assert.equal(open('7.13.2').c.expectedClose.closeCode, [1000, 65535, 1002])
})

test('7.x: a wrong close code fails the main verdict too; 7.13.x is informational', () => {
  const { c: wrong } = open('7.7.1')
  wrong.onConnectionLost(outcome({ closedByMe: true, wasClean: true, remoteCloseCode: 1002 }))
  assert.is(wrong.behaviorClose, 'WRONG CODE')
  assert.is(wrong.behavior, 'FAILED')
  assert.is(wrong.result, wrong.resultClose)

  const { c: echoed } = open('7.7.5')
  echoed.onConnectionLost(outcome({ closedByMe: true, wasClean: true, remoteCloseCode: 1007 }))
  assert.is(echoed.behaviorClose, 'OK')
  assert.is(echoed.behavior, 'OK')

  const { c: dropped } = open('7.9.4')
  dropped.onConnectionLost(outcome({ closedByMe: true, wasClean: false, remoteCloseCode: null }))
  assert.is(dropped.behaviorClose, 'OK')
  assert.is(dropped.behavior, 'OK')

  const { c: accepted } = open('7.9.4')
  accepted.onConnectionLost(outcome({ closedByMe: true, wasClean: true, remoteCloseCode: 1005 }))
  assert.is(accepted.behavior, 'FAILED')

  const { c: info } = open('7.13.1')
  info.onConnectionLost(outcome({ closedByMe: true, wasClean: true, remoteCloseCode: 4000 }))
  assert.is(info.behavior, 'INFORMATIONAL')
  assert.is(info.behaviorClose, 'INFORMATIONAL')
})

test('a server under test that leaves the TCP close to the fuzzer-as-client: FAILED BY CLIENT', () => {
  const { c } = open('7.3.3', false)
  c.onConnectionLost(outcome({ closedByMe: true, wasClean: true, remoteCloseCode: 1000, droppedByMe: true }))
  assert.is(c.behaviorClose, 'FAILED BY CLIENT')
  const { c: asServer } = open('7.3.3', true)
  asServer.onConnectionLost(
    outcome({ closedByMe: true, wasClean: true, remoteCloseCode: 1000, droppedByMe: true }),
  )
  assert.is(asServer.behaviorClose, 'OK')
})

test('10.1.1: 64 KiB of text sent through sendMessage with 1300-byte auto-fragmentation', () => {
  const { c, peer } = open('10.1.1')
  const [m] = peer.of('message')
  assert.is(m?.payload.length, 65536)
  assert.ok(m?.payload.every((b) => b === 0x2a))
  assert.is(m?.binary, false)
  assert.is(m?.autoFragmentSize, 1300)
  assert.equal(peer.of('killAfter'), [{ kind: 'killAfter', seconds: 10 }])
  assert.equal(c.expectedClose, { closedByMe: true, closeCode: [1000], requireClean: true })
})

test.run()
