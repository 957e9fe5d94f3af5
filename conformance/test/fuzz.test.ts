// The fuzzer: a fixed, deterministic budget per target must find nothing, and every check it
// makes must be able to fail (each is shown failing on a target built to break it).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DeflateError } from '@ws/deflate'
import {
  type ClientHandshakeResult,
  HeaderList,
  ProtocolError,
  type ServerHandshakeResult,
  type UpgradeRequest,
  type WebSocketConnection,
  type WebSocketEvent,
} from '@ws/proto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  bytewiseCuts,
  checkInput,
  describeError,
  type Failure,
  type FuzzTarget,
  findDifference,
  forEachChunk,
  InvariantViolation,
  randomCuts,
  show,
  type Value,
  violation,
} from '../src/fuzz/check.ts'
import { formatStats, main, parseArgs, USAGE } from '../src/fuzz/cli.ts'
import { ConnectionDriver, FUZZ_LIMITS } from '../src/fuzz/drive.ts'
import {
  encodeFrames,
  FRAME_MUTATIONS,
  type FrameSpec,
  framesTarget,
  generateFrames,
  mutateFrames,
} from '../src/fuzz/frames.ts'
import {
  CLIENT_ACCEPT,
  checkHeadBuffered,
  checkResponseHead,
  encodeHead,
  HEAD_MUTATIONS,
  type Head,
  mutateHead,
  recordOpen,
  recordRequest,
} from '../src/fuzz/handshake.ts'
import {
  createInflaterTarget,
  DEFLATE_MUTATIONS,
  generateDeflateStream,
  type InflaterLike,
  mutateDeflate,
} from '../src/fuzz/inflate.ts'
import { BYTE_MUTATIONS, concat, latin1Bytes, mutateBytes } from '../src/fuzz/mutate.ts'
import { Rng } from '../src/fuzz/rng.ts'
import { inputRng, runFuzz } from '../src/fuzz/runner.ts'
import { TARGETS } from '../src/fuzz/targets.ts'

const SEED = 20251125
const ITERATIONS = 500

function failureText(failure: Failure | null): string {
  return failure === null ? '' : `${failure.target} ${failure.kind}: ${failure.message}`
}

// ---------------------------------------------------------------------------------------------
const budget = suite('a fixed budget per target finds no failure')

for (const target of TARGETS) {
  budget(`${target.name}: ${ITERATIONS} inputs from seed ${SEED}`, () => {
    const result = runFuzz({ seed: SEED, targets: [target], iterations: ITERATIONS })
    assert.is(result.failure, null, failureText(result.failure))
    assert.is(result.stats[0]?.inputs, ITERATIONS)
  })
}

budget.run()

// ---------------------------------------------------------------------------------------------
const checker = suite('the checker reports each kind of failure')

function fakeTarget(name: string, run: FuzzTarget['run']): FuzzTarget {
  return { name, generate: (rng) => rng.bytes(rng.range(2, 40)), run }
}

const SAMPLE = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])

checker('an exception out of the target is a failure', () => {
  const failure = checkInput(
    fakeTarget('throws', () => {
      throw new TypeError('boom')
    }),
    SAMPLE,
    new Rng(1),
  )
  assert.is(failure?.kind, 'threw')
  assert.match(failure?.message ?? '', /TypeError: boom/)
  assert.equal(failure?.cuts, [])
})

checker('an invariant violation is a failure', () => {
  const failure = checkInput(
    fakeTarget('violates', () => violation('too big')),
    SAMPLE,
    new Rng(1),
  )
  assert.is(failure?.kind, 'invariant')
  assert.is(failure?.message, 'too big')
})

checker('an outcome that depends on the chunking is a failure', () => {
  const failure = checkInput(
    fakeTarget('pieces', (_input, cuts) => cuts.length),
    SAMPLE,
    new Rng(1),
  )
  assert.is(failure?.kind, 'chunking')
  assert.match(failure?.message ?? '', /outcome: 0 vs \d+/)
})

checker('a target that loses a byte at a chunk boundary is caught', () => {
  // Each piece after the first loses its first byte: right whole, wrong in pieces.
  const lossy = fakeTarget('lossy', (input, cuts) => {
    const kept: Uint8Array[] = []
    forEachChunk(input, cuts, (chunk) => kept.push(kept.length === 0 ? chunk : chunk.subarray(1)))
    return concat(kept)
  })
  const failure = checkInput(lossy, SAMPLE, new Rng(2))
  assert.is(failure?.kind, 'chunking')
  assert.match(failure?.message ?? '', /bytes/)
})

checker('a target that keeps state across inputs (mutates its input) is caught', () => {
  // The checker hands each run a copy, so a target that writes into its input cannot leak into
  // the next run; one that remembers a global does, and is caught.
  let runs = 0
  const stateful = fakeTarget('stateful', () => ++runs)
  assert.is(checkInput(stateful, SAMPLE, new Rng(3))?.kind, 'chunking')
  const writes = fakeTarget('writes', (input) => {
    const sum = input.reduce((a, b) => a + b, 0)
    input.fill(0)
    return sum
  })
  assert.is(checkInput(writes, SAMPLE, new Rng(3)), null)
})

checker('a run over the hang bound is a failure', () => {
  const slow = fakeTarget('slow', () => {
    const until = performance.now() + 3
    while (performance.now() < until) {
      // busy: the bound is 1 ms
    }
    return null
  })
  const failure = checkInput(slow, SAMPLE, new Rng(1), { hangMs: 1, bytewiseMax: 0, splits: 0 })
  assert.is(failure?.kind, 'hang')
  assert.match(failure?.message ?? '', /bound 1 ms/)
})

checker('chunkings: whole, random cuts, byte by byte for short inputs', () => {
  const seen: number[] = []
  const recorder = fakeTarget('recorder', (input, cuts) => {
    seen.push(cuts.length)
    let total = 0
    forEachChunk(input, cuts, (chunk) => {
      total += chunk.length
    })
    return total
  })
  assert.is(checkInput(recorder, SAMPLE, new Rng(4), { hangMs: 2000, bytewiseMax: 16, splits: 2 }), null)
  assert.is(seen.length, 4)
  assert.is(seen[0], 0)
  assert.is(seen[3], SAMPLE.length - 1)
  assert.equal(bytewiseCuts(4), [1, 2, 3])
  assert.equal(bytewiseCuts(1), [])
  assert.equal(randomCuts(new Rng(1), 1), [])
  for (let seed = 0; seed < 50; seed++) {
    const cuts = randomCuts(new Rng(seed), 100)
    assert.ok(
      cuts.length > 0 &&
        cuts.every(
          (cut, index) => cut > 0 && cut < 100 && (index === 0 || cut > (cuts[index - 1] as number)),
        ),
    )
  }
})

checker('findDifference finds the first difference of every kind of value', () => {
  const cases: [Value, Value, RegExp | null][] = [
    [{ a: [1, 'x', Uint8Array.of(1)] }, { a: [1, 'x', Uint8Array.of(1)] }, null],
    [Uint8Array.of(1, 2), Uint8Array.of(1, 3), /\$: bytes differ at offset 1/],
    [Uint8Array.of(1), Uint8Array.of(1, 2), /1 bytes vs 2 bytes/],
    [Uint8Array.of(1), 'x', /<1 bytes> vs "x"/],
    [[1, 2], [1, 2, 3], /2 vs 3 entries \(first extra: 3\)/],
    [[1, 3], [1, 2], /\$\[1\]: 3 vs 2/],
    [[1], { 0: 1 }, /\$: \[1\] vs \{"0":1\}/],
    [{ a: 1 }, { a: 1, b: 2 }, /\$\.b: undefined vs 2/],
    [null, 0, /null vs 0/],
    [Number.NaN, Number.NaN, null],
  ]
  for (const [a, b, expected] of cases) {
    const difference = findDifference(a, b, '$')
    if (expected === null) assert.is(difference, null)
    else assert.match(difference ?? '', expected)
  }
  assert.match(show('x'.repeat(300)), /\.\.\.$/)
  assert.is(show(undefined), 'undefined')
  assert.is(describeError('plain'), 'plain')
  const coded = Object.assign(new Error('m'), { code: 'E_X' })
  assert.match(describeError(coded), /^Error E_X: m/)
})

checker.run()

// ---------------------------------------------------------------------------------------------
const runner = suite('the runner')

runner('stops at the first failure and says which input it was', () => {
  let calls = 0
  const target: FuzzTarget = {
    name: 'fourth',
    generate: (rng) => Uint8Array.of(++calls, rng.int(256)),
    run: (input) => {
      if (input[0] === 4) violation('the fourth input')
      return null
    },
  }
  const result = runFuzz({ seed: 1, targets: [target], iterations: 10 })
  assert.is(result.failure?.iteration, 3)
  assert.is(result.failure?.seed, 1)
  assert.is(result.failure?.kind, 'invariant')
  assert.is(result.stats[0]?.inputs, 4)
})

runner('a generator that throws is reported as a failure of its target', () => {
  const target: FuzzTarget = {
    name: 'broken-generator',
    generate: () => {
      throw new RangeError('no')
    },
    run: () => null,
  }
  const result = runFuzz({ seed: 1, targets: [target], iterations: 1 })
  assert.is(result.failure?.kind, 'threw')
  assert.match(result.failure?.message ?? '', /generator: RangeError: no/)
})

runner('inputs depend only on seed, target and iteration', () => {
  const target = TARGETS[2] as FuzzTarget
  const a = target.generate(inputRng(5, target.name, 17))
  const b = target.generate(inputRng(5, target.name, 17))
  assert.equal(a, b)
  const others = [inputRng(6, target.name, 17), inputRng(5, target.name, 18), inputRng(5, 'other', 17)]
  for (const rng of others) assert.not.equal(target.generate(rng), a)
  // A time budget of 0 runs nothing.
  assert.equal(runFuzz({ seed: 1, targets: TARGETS, milliseconds: 0 }).stats[0]?.inputs, 0)
})

runner.run()

// ---------------------------------------------------------------------------------------------
const driver = suite('the connection driver checks events and limits')

/** A stand-in for a connection that delivers scripted events. */
function scripted(
  batches: WebSocketEvent[][],
  options: { outgoing?: Uint8Array[]; eof?: WebSocketEvent[]; paused?: boolean; state?: string } = {},
): WebSocketConnection {
  const queue = [...batches]
  let outgoing = options.outgoing ?? []
  const fake = {
    limits: FUZZ_LIMITS,
    extensions: [],
    role: 'server',
    state: options.state ?? 'closed',
    closeReplyPending: false,
    shouldCloseTransport: true,
    get inputPaused() {
      return options.paused === true
    },
    receive() {},
    receiveEof() {
      queue.push(options.eof ?? [{ type: 'closed', code: 1006, reason: '', wasClean: false }])
    },
    close() {},
    takeEvents: () => queue.shift() ?? [],
    takeOutgoing: () => {
      const out = outgoing
      outgoing = []
      return out
    },
  }
  return fake as unknown as WebSocketConnection
}

const big = 'x'.repeat(FUZZ_LIMITS.maxMessageSize + 1)
const closed: WebSocketEvent = { type: 'closed', code: 1000, reason: '', wasClean: true }
const fragment = (kind: 'text' | 'binary', size: number, first: boolean, last: boolean): WebSocketEvent => ({
  type: 'fragment',
  kind,
  data: new Uint8Array(size),
  first,
  last,
})
const driverCases: [string, WebSocketEvent[], boolean, RegExp][] = [
  ['text over the limit', [{ type: 'text', data: big }], false, /text message of 65537 bytes/],
  ['text with a lone surrogate', [{ type: 'text', data: 'a\ud800' }], false, /lone surrogate/],
  ['text with messageFragments', [{ type: 'text', data: 'a' }], true, /text event with messageFragments/],
  [
    'binary over the limit',
    [{ type: 'binary', data: new Uint8Array(65537) }],
    false,
    /binary message of 65537/,
  ],
  ['binary with messageFragments', [{ type: 'binary', data: new Uint8Array(1) }], true, /binary event/],
  ['fragment without messageFragments', [fragment('text', 1, true, true)], false, /fragment event/],
  ['fragment not first at the start', [fragment('text', 1, false, true)], true, /out of order/],
  [
    'fragment changes kind',
    [fragment('text', 1, true, false), fragment('binary', 1, false, true)],
    true,
    /kind/,
  ],
  [
    'fragments over the limit',
    [fragment('binary', 40000, true, false), fragment('binary', 40000, false, true)],
    true,
    /fragmented message of 80000/,
  ],
  ['ping over 125 bytes', [{ type: 'ping', data: new Uint8Array(126) }], false, /ping payload of 126/],
  [
    'two close events',
    [
      { type: 'close', code: 1000, reason: '' },
      { type: 'close', code: 1000, reason: '' },
    ],
    false,
    /two close/,
  ],
  ['close with code 1006', [{ type: 'close', code: 1006, reason: '' }], false, /close event with code 1006/],
  [
    'close reason over 123 bytes',
    [{ type: 'close', code: 1000, reason: 'r'.repeat(124) }],
    false,
    /over 123/,
  ],
  [
    'error that is not a ProtocolError',
    [{ ...closed, code: 1002, error: new Error('x') as ProtocolError }],
    false,
    /not a ProtocolError/,
  ],
  [
    'error close code not sent',
    [{ ...closed, code: 1009, error: new ProtocolError('WS_ERR_X', 1002, '') }],
    false,
    /error close code 1002/,
  ],
  [
    'error close code not a failure code',
    [{ ...closed, code: 1000, error: new ProtocolError('WS_ERR_X', 1000, '') }],
    false,
    /error close code 1000/,
  ],
  [
    'error code without WS_ERR_',
    [{ ...closed, code: 1002, error: new ProtocolError('BAD', 1002, '') }],
    false,
    /error code BAD/,
  ],
  [
    'an event after closed',
    [closed, { type: 'pong', data: new Uint8Array(0) }],
    false,
    /after the closed event/,
  ],
  [
    'more events than maxQueuedEvents',
    new Array(1026).fill({ type: 'pong', data: new Uint8Array(0) }),
    false,
    /1026 events queued/,
  ],
]

for (const [name, events, messageFragments, expected] of driverCases) {
  driver(name, () => {
    assert.throws(
      () => new ConnectionDriver(scripted([events]), messageFragments),
      (error: unknown) => error instanceof InvariantViolation && expected.test(error.message),
    )
  })
}

driver('valid events pass and are recorded', () => {
  const events: WebSocketEvent[] = [
    { type: 'text', data: 'héllo' },
    { type: 'ping', data: Uint8Array.of(1) },
    { type: 'close', code: 1005, reason: '' },
    {
      type: 'closed',
      code: 1002,
      reason: '',
      wasClean: false,
      error: new ProtocolError('WS_ERR_X', 1002, ''),
    },
  ]
  const outcome = new ConnectionDriver(scripted([events], { eof: [] }), false, 0).finish()
  assert.equal(outcome, {
    events: [
      ['text', 'héllo'],
      ['ping', Uint8Array.of(1)],
      ['close', 1005, ''],
      ['closed', 1002, '', false, 'WS_ERR_X'],
    ],
    outgoing: new Uint8Array(0),
    shouldCloseTransport: true,
  })
})

driver('more output than the input can explain is a violation', () => {
  assert.throws(
    () => new ConnectionDriver(scripted([], { outgoing: [new Uint8Array(300)] }), false),
    (error: unknown) =>
      error instanceof InvariantViolation && /300 bytes to write after 0 bytes/.test(error.message),
  )
})

driver('no closed event after EOF, or a state that is not closed, is a violation', () => {
  const silent = new ConnectionDriver(scripted([], { eof: [] }), false)
  assert.throws(
    () => silent.finish(),
    (error: unknown) => error instanceof InvariantViolation && /no closed event/.test(error.message),
  )
  const open = new ConnectionDriver(scripted([], { state: 'open' }), false)
  assert.throws(
    () => open.finish(),
    (error: unknown) => error instanceof InvariantViolation && /state is open/.test(error.message),
  )
})

driver('a connection that never stops pausing is a violation', () => {
  assert.throws(
    () => new ConnectionDriver(scripted([], { paused: true }), false),
    (error: unknown) => error instanceof InvariantViolation && /keeps producing events/.test(error.message),
  )
})

driver('a real connection: frames in, events and replies out', () => {
  const frames: FrameSpec[] = [
    { fin: true, rsv: 0, opcode: 0x1, payload: latin1Bytes('hi'), mask: Uint8Array.of(1, 2, 3, 4) },
    { fin: true, rsv: 0, opcode: 0x9, payload: Uint8Array.of(7), mask: Uint8Array.of(9, 9, 9, 9) },
    { fin: true, rsv: 0, opcode: 0x8, payload: Uint8Array.of(0x03, 0xe8), mask: Uint8Array.of(0, 0, 0, 0) },
  ]
  const input = concat([Uint8Array.of(0, 0), encodeFrames(frames)])
  const outcome = framesTarget('server', false).run(input, [5, 9])
  assert.equal(outcome, {
    events: [
      ['text', 'hi'],
      ['ping', Uint8Array.of(7)],
      ['close', 1000, ''],
      ['closed', 1000, '', true, null],
    ],
    outgoing: Uint8Array.of(0x8a, 0x01, 7, 0x88, 0x02, 0x03, 0xe8),
    shouldCloseTransport: true,
  })
})

driver.run()

// ---------------------------------------------------------------------------------------------
const handshakes = suite('the handshake checks')

handshakes('a response head must be a status line and Name: value lines', () => {
  const good = latin1Bytes('HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\nno')
  assert.equal(checkResponseHead(good, 400), {
    head: 'HTTP/1.1 400 Bad Request\r\nContent-Length: 2',
    body: 'no',
  })
  const bad: [string, number, RegExp][] = [
    ['HTTP/1.1 400 Bad Request\r\nX: 1\r\n', 400, /without the blank line/],
    ['HTTP/1.1 400 Bad Request\r\n\r\n', 431, /response starts with/],
    ['HTTP/1.1 400 Bad Request\r\nX: a\u0001b\r\n\r\n', 400, /header line/],
    ['HTTP/1.1 400 Bad Request\r\nX:a\r\n\r\n', 400, /header line/],
  ]
  for (const [text, status, expected] of bad) {
    assert.throws(
      () => checkResponseHead(latin1Bytes(text), status),
      (error: unknown) => error instanceof InvariantViolation && expected.test(error.message),
    )
  }
})

handshakes('an accepted request must be one the RFC allows', () => {
  const request: UpgradeRequest = {
    method: 'GET',
    target: '/chat',
    resource: '/chat',
    host: 'h',
    origin: undefined,
    key: 'dGhlIHNhbXBsZSBub25jZQ==',
    protocols: ['chat'],
    extensions: [{ name: 'permessage-deflate', params: [{ name: 'client_max_window_bits', value: '10' }] }],
    headers: new HeaderList([['Host', 'h']]),
  }
  const wrap = (changes: Partial<UpgradeRequest>): Extract<ServerHandshakeResult, { kind: 'request' }> => ({
    kind: 'request',
    request: { ...request, ...changes },
  })
  assert.equal((recordRequest(wrap({})) as { extensions: Value }).extensions, [
    ['permessage-deflate', [['client_max_window_bits', '10']]],
  ])
  const bad: [Partial<UpgradeRequest>, RegExp][] = [
    [{ method: 'POST' }, /method POST/],
    [{ key: 'AAAA' }, /key "AAAA"/],
    [{ host: '' }, /without a host/],
    [{ resource: 'chat' }, /resource chat/],
    [{ protocols: ['a b'] }, /subprotocol a b/],
    [{ extensions: [{ name: 'Permessage-Deflate', params: [] }] }, /extension name/],
    [{ extensions: [{ name: 'x', params: [{ name: 'a=', value: null }] }] }, /parameter name/],
    [{ extensions: [{ name: 'x', params: [{ name: 'a', value: 'b c' }] }] }, /parameter value/],
    [{ headers: new HeaderList([['X', 'a\rb']]) }, /CR, LF or NUL/],
  ]
  for (const [changes, expected] of bad) {
    assert.throws(
      () => recordRequest(wrap(changes)),
      (error: unknown) => error instanceof InvariantViolation && expected.test(error.message),
    )
  }
})

handshakes('an opened client connection must have checked status, accept and subprotocol', () => {
  const connection = { protocol: 'other', extensions: [] } as unknown as WebSocketConnection
  const open = (
    status: number,
    headers: [string, string][],
  ): Extract<ClientHandshakeResult, { kind: 'open' }> => ({
    kind: 'open',
    connection,
    response: { status, statusText: '', headers },
  })
  const cases: [Extract<ClientHandshakeResult, { kind: 'open' }>, RegExp][] = [
    [open(200, []), /opened on status 200/],
    [open(101, [['Sec-WebSocket-Accept', 'wrong']]), /right accept value/],
    [open(101, [['Sec-WebSocket-Accept', CLIENT_ACCEPT]]), /subprotocol other, not offered/],
  ]
  for (const [result, expected] of cases) {
    assert.throws(
      () => recordOpen(result, true),
      (error: unknown) => error instanceof InvariantViolation && expected.test(error.message),
    )
  }
})

handshakes('a handshake may not buffer more than the head limit without a verdict', () => {
  checkHeadBuffered(16384, 16384)
  assert.throws(
    () => checkHeadBuffered(16385, 16384),
    (error: unknown) =>
      error instanceof InvariantViolation && /16385 bytes of head buffered/.test(error.message),
  )
  // The real handshakes answer once the limit is passed: a head that never ends is refused.
  const endless = concat([
    Uint8Array.of(0),
    latin1Bytes(`GET / HTTP/1.1\r\n${`X: ${'a'.repeat(5000)}\r\n`.repeat(4)}`),
  ])
  const server = TARGETS.find((target) => target.name === 'handshake-server') as FuzzTarget
  const outcome = server.run(endless, []) as { kind: string; response: Uint8Array }
  assert.is(outcome.kind, 'rejected')
  assert.match(Buffer.from(outcome.response).toString('latin1'), /^HTTP\/1\.1 431 /)
})

handshakes('every head mutation changes the head', () => {
  for (const kind of HEAD_MUTATIONS) {
    let changed = false
    for (let seed = 0; seed < 20 && !changed; seed++) {
      const head: Head = {
        startLine: 'GET / HTTP/1.1',
        headers: [
          ['Host', 'h'],
          ['Upgrade', 'websocket'],
        ],
        lineEnd: '\r\n',
        leadingEmptyLines: 0,
      }
      const before = encodeHead(head)
      mutateHead(new Rng(seed), head, ['POST / HTTP/1.1'], kind)
      changed = findDifference(before, encodeHead(head), '') !== null
    }
    assert.ok(changed, kind)
  }
})

handshakes.run()

// ---------------------------------------------------------------------------------------------
const mutations = suite('mutations')

mutations('every byte mutation changes the input and keeps the prefix', () => {
  const input = Uint8Array.from({ length: 64 }, (_, index) => index)
  for (const kind of BYTE_MUTATIONS) {
    let changed = false
    for (let seed = 0; seed < 20; seed++) {
      const out = mutateBytes(new Rng(seed), input, 2, Uint8Array.of(200, 201, 202), kind)
      assert.equal(out.subarray(0, 2), input.subarray(0, 2), kind)
      changed ||= findDifference(input, out, '') !== null
    }
    assert.ok(changed, kind)
  }
  // An empty body: nothing to flip or replace, but nothing breaks.
  assert.equal(mutateBytes(new Rng(1), Uint8Array.of(9), 1, new Uint8Array(0), 'bit-flip'), Uint8Array.of(9))
  assert.equal(
    mutateBytes(new Rng(1), Uint8Array.of(9), 1, new Uint8Array(0), 'byte-replace'),
    Uint8Array.of(9),
  )
})

mutations('every frame mutation changes the frames on the wire', () => {
  for (const kind of FRAME_MUTATIONS) {
    let changed = false
    for (let seed = 0; seed < 40 && !changed; seed++) {
      const rng = new Rng(seed)
      const frames = generateFrames(rng, { masked: seed % 2 === 0, deflate: null })
      const before = encodeFrames(frames)
      changed = findDifference(before, encodeFrames(mutateFrames(rng, frames, kind)), '') !== null
    }
    assert.ok(changed, kind)
  }
  assert.equal(mutateFrames(new Rng(1), []), [])
})

mutations('frame lengths: 7-bit, 16-bit and 64-bit forms, and overrides', () => {
  const frame = (length: number, override?: FrameSpec['length']): Uint8Array =>
    encodeFrames([
      {
        fin: true,
        rsv: 0x40,
        opcode: 2,
        payload: new Uint8Array(length),
        mask: null,
        ...(override && { length: override }),
      },
    ]).subarray(0, 10)
  assert.equal(frame(125).subarray(0, 2), Uint8Array.of(0xc2, 125))
  assert.equal(frame(126).subarray(0, 4), Uint8Array.of(0xc2, 126, 0, 126))
  assert.equal(frame(65536), Uint8Array.of(0xc2, 127, 0, 0, 0, 0, 0, 1, 0, 0))
  assert.equal(
    frame(0, { form: 64, value: 0x8000000000000000n }),
    Uint8Array.of(0xc2, 127, 0x80, 0, 0, 0, 0, 0, 0, 0),
  )
})

mutations('every deflate mutation changes the stream', () => {
  const stream = generateDeflateStream(new Rng(3), 15)
  for (const kind of DEFLATE_MUTATIONS) {
    let changed = false
    for (let seed = 0; seed < 20 && !changed; seed++) {
      changed = findDifference(stream, mutateDeflate(new Rng(seed), stream, stream, kind), '') !== null
    }
    assert.ok(changed, kind)
  }
  assert.equal(mutateDeflate(new Rng(1), new Uint8Array(0), new Uint8Array(0), 'bfinal'), new Uint8Array(0))
})

mutations.run()

// ---------------------------------------------------------------------------------------------
const inflater = suite('the inflater target checks the inflater')

const HELLO_STREAM = Uint8Array.of(0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00)

/** An inflater that misbehaves as told, and otherwise decodes 'hello'. */
function faulty(
  behaviour: Partial<InflaterLike> & { pushes?: (Uint8Array[] | Error)[] },
): () => InflaterLike {
  return () => {
    const pushes = [...(behaviour.pushes ?? [])]
    return {
      push:
        behaviour.push ??
        (() => {
          const next = pushes.shift() ?? [latin1Bytes('hello')]
          if (next instanceof Error) throw next
          return next
        }),
      totalOut: behaviour.totalOut ?? 5,
      finished: true,
      atBlockBoundary: true,
      reset: () => {},
    }
  }
}

const TRUNCATED = new DeflateError('DEFLATE_TRUNCATED', 'cut short')
const inflaterCases: [string, () => InflaterLike, number, RegExp][] = [
  [
    'an output chunk over the buffer size',
    faulty({ pushes: [[new Uint8Array(70000)]] }),
    7,
    /output chunk of 70000/,
  ],
  [
    'output over the limit',
    faulty({ pushes: [[new Uint8Array(1001)]], totalOut: 1001 }),
    0x47,
    /1001 bytes of output over the 1000-byte limit/,
  ],
  ['totalOut that does not match', faulty({ pushes: [[]], totalOut: 5 }), 7, /totalOut 5, 0 bytes/],
  [
    'a failure not thrown again',
    faulty({ pushes: [new DeflateError('DEFLATE_TRUNCATED', 't'), []] }),
    7,
    /same error again/,
  ],
  ['no decoding after reset()', faulty({ pushes: [TRUNCATED, TRUNCATED, []] }), 7, /after reset/],
  [
    'totalOut over the limit after a failure',
    faulty({ pushes: [new DeflateError('DEFLATE_TRUNCATED', 't')], totalOut: 2000 }),
    0x47,
    /totalOut 2000 over/,
  ],
]

for (const [name, make, config, expected] of inflaterCases) {
  inflater(name, () => {
    const target = createInflaterTarget(make)
    const failure = checkInput(target, Uint8Array.of(config, 1, 2, 3), new Rng(1))
    assert.is(failure?.kind, 'invariant')
    assert.match(failure?.message ?? '', expected)
  })
}

inflater('an error that is not a DeflateError escapes and is a failure', () => {
  const target = createInflaterTarget(faulty({ pushes: [new TypeError('inside')] }))
  assert.is(checkInput(target, Uint8Array.of(7, 1), new Rng(1))?.kind, 'threw')
})

inflater('the real inflater: output, a failure, and the same error again', () => {
  const target = createInflaterTarget()
  assert.equal(target.run(concat([Uint8Array.of(7 | 16), HELLO_STREAM]), [3]), {
    output: latin1Bytes('hello'),
    finished: true,
    atBlockBoundary: true,
  })
  assert.equal(target.run(Uint8Array.of(7 | 16, 0x06), []), { error: 'DEFLATE_INVALID_BLOCK_TYPE' })
  // With a limit of 0 nothing may come out, and the check after reset() is skipped.
  assert.equal(target.run(concat([Uint8Array.of(7 | (1 << 5)), HELLO_STREAM]), []), {
    error: 'DEFLATE_OUTPUT_LIMIT',
  })
})

inflater.run()

// ---------------------------------------------------------------------------------------------
const cli = suite('the command line')

const alwaysFails: FuzzTarget = {
  name: 'always-fails',
  generate: (rng) => rng.bytes(8),
  run: () => violation('always'),
}
const neverFails: FuzzTarget = { name: 'never-fails', generate: (rng) => rng.bytes(300), run: () => null }

cli('arguments: defaults, every option, and errors', () => {
  const defaults = parseArgs([], () => 42)
  assert.ok(defaults !== 'help')
  assert.is(defaults.seconds, 60)
  assert.is(defaults.seed, 42)
  assert.is(defaults.targets, TARGETS)
  const all = parseArgs(
    [
      '--seconds',
      '5',
      '--seed',
      '4294967295',
      '--target',
      'inflater,frames-server',
      '--iterations',
      '3',
      '--iteration',
      '9',
      '--out',
      '/x',
    ],
    () => 1,
  )
  assert.ok(all !== 'help')
  assert.equal(
    [all.seconds, all.seed, all.targets.map((t) => t.name), all.iterations, all.iteration, all.out],
    [5, 4294967295, ['inflater', 'frames-server'], 3, 9, '/x'],
  )
  assert.is(
    parseArgs(['-h'], () => 1),
    'help',
  )
  const errors: [string[], RegExp][] = [
    [['--seconds', 'x'], /--seconds needs an integer/],
    [['--seed', '4294967296'], /--seed needs an integer/],
    [['--seed'], /got nothing/],
    [['--target', 'nope'], /unknown target 'nope'/],
    [['--bogus'], /unknown argument '--bogus'/],
    [['--out'], /--out needs a path/],
    [['--replay', 'f'], /--replay needs exactly one --target/],
  ]
  for (const [args, expected] of errors) {
    assert.throws(
      () => parseArgs(args, () => 1),
      (error: unknown) => error instanceof Error && expected.test(error.message),
    )
  }
})

cli('help, bad arguments, a clean run and a run of one iteration', () => {
  const lines: string[] = []
  const log = (line: string) => lines.push(line)
  assert.is(main(['--help'], log), 0)
  assert.is(lines.pop(), USAGE)
  assert.is(main(['--nope'], log), 2)
  assert.match(lines.pop() ?? '', /unknown argument/)
  assert.is(main(['--iterations', '2', '--seed', '5', '--target', 'inflater'], log), 0)
  assert.match(
    lines.join('\n'),
    /seed 5, 2 inputs per target[\s\S]*inflater\s+2\s+0[\s\S]*no failures \(seed 5\)/,
  )
  lines.length = 0
  assert.is(
    main(['--iteration', '7', '--seed', '5', '--target', 'frames-client'], log, () => 1),
    0,
  )
  assert.match(lines[0] ?? '', /iteration 7/)
  lines.length = 0
  assert.is(
    main(['--seconds', '0', '--target', 'inflater'], log, () => 77),
    0,
  )
  assert.match(lines[0] ?? '', /seed 77, 0 s/)
  assert.match(
    formatStats({ stats: [{ name: 'x', inputs: 0, milliseconds: 0 }], failure: null }),
    /x\s+0\s+0\s+0$/,
  )
})

cli('a failure: reported, written to a file, and replayable', () => {
  const out = mkdtempSync(join(tmpdir(), 'ws-fuzz-test-'))
  try {
    const lines: string[] = []
    const log = (line: string) => lines.push(line)
    const registry = [alwaysFails, neverFails]
    assert.is(
      main(['--iterations', '3', '--seed', '9', '--out', out], log, () => 1, registry),
      1,
    )
    const text = lines.join('\n')
    assert.match(text, /FAILURE in always-fails \(seed 9, iteration 0\): invariant/)
    assert.match(text, /input \(hex\): [0-9a-f]{16}/)
    assert.match(text, /pnpm fuzz --seed 9 --target always-fails --iteration 0/)
    const path = join(out, 'always-fails-seed9-iteration0.bin')
    assert.ok(existsSync(path))
    const saved = JSON.parse(readFileSync(join(out, 'always-fails-seed9-iteration0.json'), 'utf8')) as {
      input: string
    }
    assert.is(saved.input, readFileSync(path).toString('hex'))
    lines.length = 0
    assert.is(
      main(['--replay', path, '--target', 'always-fails'], log, () => 1, registry),
      1,
    )
    assert.match(lines[0] ?? '', /fails: invariant: always/)
    assert.is(
      main(['--replay', path, '--target', 'never-fails'], log, () => 1, registry),
      0,
    )
    assert.match(lines[1] ?? '', /passes/)
    // Long inputs are not printed in hex; a replay without the chunking file still runs.
    lines.length = 0
    const long: FuzzTarget = { ...alwaysFails, name: 'long', generate: (rng) => rng.bytes(300) }
    assert.is(
      main(['--iterations', '1', '--out', out], log, () => 1, [long]),
      1,
    )
    assert.not.match(lines.join('\n'), /hex/)
    rmSync(join(out, 'long-seed1-iteration0.json'))
    assert.is(
      main(['--replay', join(out, 'long-seed1-iteration0.bin'), '--target', 'long'], log, () => 1, [long]),
      1,
    )
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})

cli('pnpm fuzz runs main.ts: exit 0 for a clean run, 2 for bad arguments', () => {
  const root = join(import.meta.dirname, '..', '..')
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'conformance/src/fuzz/main.ts', ...args], {
      cwd: root,
      encoding: 'utf8',
    })
  const clean = run(['--iterations', '1', '--seed', '3'])
  assert.is(clean.status, 0, clean.stderr)
  assert.match(clean.stdout, /no failures \(seed 3\)/)
  const bad = run(['--seconds', 'soon'])
  assert.is(bad.status, 2)
  assert.match(bad.stdout, /--seconds needs an integer/)
})

cli.run()
