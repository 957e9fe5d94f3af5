// Autobahn family 6 (UTF-8 Handling): empty fragments, valid UTF-8 split anywhere, invalid UTF-8
// (which must fail the connection with 1007, fast), and the sequences of Markus Kuhn's UTF-8
// decoder test file. Ports `case6_1_*.py` .. `case6_4_*.py` and `case6_x_x.py`.
import { Case, type CaseEntry, CloseStatus, type ExpectedClose, normalClose, scriptedEntry } from '../case.ts'

/** Bytes from space-separated hex pairs. */
function hex(pairs: string): Uint8Array {
  return Uint8Array.from(pairs.split(' '), (pair) => Number.parseInt(pair, 16))
}

const encoder = new TextEncoder()

/** Lower-case hex of a payload, as Autobahn's descriptions print it (binascii.b2a_hex). */
function hexOf(payload: Uint8Array | string): string {
  const bytes = typeof payload === 'string' ? encoder.encode(payload) : payload
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

const entry = scriptedEntry

/** The implementation must fail the connection (1007); if the fuzzer has to, it never noticed. */
const invalidPayloadFailure = (): ExpectedClose => ({
  closedByMe: false,
  closeCode: [CloseStatus.INVALID_PAYLOAD],
  requireClean: false,
  closedByWrongEndpointIsFatal: true,
})

/** κόσμε (Greek "cosmos"), 11 bytes with 2- and 3-byte code points. */
export const KOSME = hex('ce ba e1 bd b9 cf 83 ce bc ce b5')
const EDITED = hex('65 64 69 74 65 64')
const SURROGATE_D800 = hex('ed a0 80')
/** 0x110000 in the UTF-8 integer encoding scheme: beyond U+10FFFF. */
const BEYOND_MAX = hex('f4 90 80 80')

const ECHOED = "The message is echo'ed back to us."
const FAILED_NOT_UTF8 = 'The connection is failed immediately, since the payload is not valid UTF-8.'

/** Sends a whole message through `sendMessage`, split in frames of `fragmentSize` payload bytes. */
function sendFragmented(c: Case, payload: Uint8Array | string, fragmentSize: number): void {
  const saved = c.p.autoFragmentSize
  c.p.autoFragmentSize = fragmentSize
  c.p.sendMessage(payload, false)
  c.p.autoFragmentSize = saved
}

// 6.1: empty fragments

const emptyFragments: CaseEntry[] = [
  entry(
    '6.1.1',
    'Send text message of length 0.',
    "A message is echo'ed back to us (with empty payload).",
    (c) => {
      c.expected.OK = [['message', '', false]]
      c.expectedClose = normalClose()
      c.p.sendFrame({ opcode: 1, payload: '' })
      c.p.closeAfter(1)
    },
  ),
  entry(
    '6.1.2',
    'Send fragmented text message, 3 fragments each of length 0.',
    "A message is echo'ed back to us (with empty payload).",
    (c) => {
      c.expected.OK = [['message', '', false]]
      c.expectedClose = normalClose()
      c.p.sendFrame({ opcode: 1, fin: false, payload: '' })
      c.p.sendFrame({ opcode: 0, fin: false, payload: '' })
      c.p.sendFrame({ opcode: 0, fin: true, payload: '' })
      c.p.closeAfter(1)
    },
  ),
  entry(
    '6.1.3',
    'Send fragmented text message, 3 fragments, first and last of length 0, middle non-empty.',
    "A message is echo'ed back to us (with payload = payload of middle fragment).",
    (c) => {
      const payload = 'middle frame payload'
      c.expected.OK = [['message', payload, false]]
      c.expectedClose = normalClose()
      c.p.sendFrame({ opcode: 1, fin: false, payload: '' })
      c.p.sendFrame({ opcode: 0, fin: false, payload })
      c.p.sendFrame({ opcode: 0, fin: true, payload: '' })
      c.p.closeAfter(1)
    },
  ),
]

// 6.2: valid UTF-8, whole and fragmented on and within code points

const HELLO_UTF8 = 'Hello-µ@ßöäüàá-UTF-8!!'
const HELLO_PART1 = 'Hello-µ@ßöä'
const HELLO_PART2 = 'üàá-UTF-8!!'
const ONE_OCTET_FRAMES =
  'Send a valid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends.'

const validUtf8: CaseEntry[] = [
  entry(
    '6.2.1',
    `Send a valid UTF-8 text message in one fragment.<br><br>MESSAGE:<br>${HELLO_UTF8}<br>${hexOf(HELLO_UTF8)}`,
    ECHOED,
    (c) => {
      c.expected.OK = [['message', HELLO_UTF8, false]]
      c.expectedClose = normalClose()
      c.p.sendMessage(HELLO_UTF8, false)
      c.p.closeAfter(1)
    },
  ),
  entry(
    '6.2.2',
    `Send a valid UTF-8 text message in two fragments, fragmented on UTF-8 code point boundary.<br><br>MESSAGE FRAGMENT 1:<br>${HELLO_PART1}<br>${hexOf(HELLO_PART1)}<br><br>MESSAGE FRAGMENT 2:<br>${HELLO_PART2}<br>${hexOf(HELLO_PART2)}`,
    ECHOED,
    (c) => {
      c.expected.OK = [['message', HELLO_PART1 + HELLO_PART2, false]]
      c.expectedClose = normalClose()
      c.p.sendFrame({ opcode: 1, fin: false, payload: HELLO_PART1 })
      c.p.sendFrame({ opcode: 0, fin: true, payload: HELLO_PART2 })
      c.p.closeAfter(1)
    },
  ),
  entry(
    '6.2.3',
    `${ONE_OCTET_FRAMES}<br><br>MESSAGE:<br>${HELLO_UTF8}<br>${hexOf(HELLO_UTF8)}`,
    ECHOED,
    (c) => {
      c.expected.OK = [['message', HELLO_UTF8, false]]
      c.expectedClose = normalClose()
      sendFragmented(c, HELLO_UTF8, 1)
      c.p.closeAfter(1)
    },
  ),
  entry(
    '6.2.4',
    // Autobahn prints the raw bytes (a Python 2 byte string) here; they are the UTF-8 of κόσμε.
    `${ONE_OCTET_FRAMES}<br><br>MESSAGE:<br>κόσμε<br>${hexOf(KOSME)}`,
    ECHOED,
    (c) => {
      c.expected.OK = [['message', KOSME, false]]
      c.expectedClose = normalClose()
      sendFragmented(c, KOSME, 1)
      c.p.closeAfter(1)
    },
  ),
]

// 6.3: invalid UTF-8 (a surrogate, invalid on byte 12) whole and in 1-octet frames

const SURROGATE_MESSAGE = concat(KOSME, SURROGATE_D800, EDITED)

const invalidUtf8: CaseEntry[] = [
  entry(
    '6.3.1',
    `Send invalid UTF-8 text message unfragmented.<br><br>MESSAGE:<br>${hexOf(SURROGATE_MESSAGE)}`,
    FAILED_NOT_UTF8,
    (c) => {
      c.expected.OK = []
      c.expectedClose = invalidPayloadFailure()
      c.p.sendMessage(SURROGATE_MESSAGE, false)
      c.p.killAfter(1)
    },
  ),
  entry(
    '6.3.2',
    `Send invalid UTF-8 text message in fragments of 1 octet, resulting in frames ending on positions which are not code point ends.<br><br>MESSAGE:<br>${hexOf(SURROGATE_MESSAGE)}`,
    FAILED_NOT_UTF8,
    (c) => {
      c.expected.OK = []
      c.expectedClose = invalidPayloadFailure()
      sendFragmented(c, SURROGATE_MESSAGE, 1)
      c.p.killAfter(1)
    },
  ),
]

// 6.4: fail-fast. The message is invalid from byte 12 (0x90 after f4) on; it goes out in three
// parts with 1 s pauses, and the implementation should fail the connection during the first pause
// after the invalid byte arrived (OK), at the latest once everything arrived (NON-STRICT).

const BEYOND_MAX_MESSAGE = concat(KOSME, BEYOND_MAX, EDITED)
type Parts = [Uint8Array, Uint8Array, Uint8Array]
/** 6.4.1 / 6.4.3: valid κόσμε, then the 4 bytes beyond U+10FFFF, then "edited". */
const PARTS_WHOLE_SEQUENCE: Parts = [KOSME, BEYOND_MAX, EDITED]
/** 6.4.2 / 6.4.4: the first 12 bytes (ending on the lead byte f4), the byte 0x90, the rest. */
const PARTS_BREAKING_BYTE: Parts = [
  BEYOND_MAX_MESSAGE.slice(0, 12),
  BEYOND_MAX_MESSAGE.slice(12, 13),
  BEYOND_MAX_MESSAGE.slice(13),
]

const partsText = ([a, b, c]: Parts) =>
  `<br><br>MESSAGE PARTS:<br>PART1 = ${hexOf(a)}<br>PART2 = ${hexOf(b)}<br>PART3 = ${hexOf(c)}<br>`
const FAIL_FAST_FRAMES =
  'The first frame is accepted, we expect to timeout on the first wait. The 2nd frame should be rejected immediately (fail fast on UTF-8). If we timeout, we expect the connection is failed at least then, since the complete message payload is not valid UTF-8.'
const FAIL_FAST_CHOPS =
  'The first chop is accepted, we expect to timeout on the first wait. The 2nd chop should be rejected immediately (fail fast on UTF-8). If we timeout, we expect the connection is failed at least then, since the complete message payload is not valid UTF-8.'

/** The three parts go out as three frames of one message (6.4.1, 6.4.2) or three writes into one frame (6.4.3, 6.4.4). */
function failFast(c: Case, parts: Parts, asFrames: boolean): void {
  c.expected.OK = [['timeout', 'A']]
  c.expected['NON-STRICT'] = [
    ['timeout', 'A'],
    ['timeout', 'B'],
  ]
  c.expectedClose = invalidPayloadFailure()
  const [part1, part2, part3] = parts
  if (asFrames) {
    c.p.sendFrame({ opcode: 1, fin: false, payload: part1 })
  } else {
    c.p.beginMessage()
    c.p.beginMessageFrame(part1.length + part2.length + part3.length)
    c.p.sendMessageFrameData(part1)
  }
  c.p.continueLater(1, () => {
    if (c.p.state !== 'OPEN') return
    c.received.push(['timeout', 'A'])
    if (asFrames) c.p.sendFrame({ opcode: 0, fin: false, payload: part2 })
    else c.p.sendMessageFrameData(part2)
    c.p.continueLater(1, () => {
      if (c.p.state !== 'OPEN') return
      c.received.push(['timeout', 'B'])
      if (asFrames) {
        c.p.sendFrame({ opcode: 0, fin: true, payload: part3 })
      } else {
        c.p.sendMessageFrameData(part3)
        c.p.endMessage()
      }
      c.p.killAfter(1)
    })
  })
}

const failFastCases: CaseEntry[] = [
  entry(
    '6.4.1',
    `Send invalid UTF-8 text message in 3 fragments (frames). First frame payload is valid, then wait, then 2nd frame which contains the payload making the sequence invalid, then wait, then 3rd frame with rest. Note that PART1 and PART3 are valid UTF-8 in themselves, PART2 is a 0x110000 encoded as in the UTF-8 integer encoding scheme, but the codepoint is invalid (out of range).${partsText(PARTS_WHOLE_SEQUENCE)}`,
    FAIL_FAST_FRAMES,
    (c) => failFast(c, PARTS_WHOLE_SEQUENCE, true),
  ),
  entry(
    '6.4.2',
    `Same as Case 6.4.1, but in 2nd frame, we send only up to and including the octet making the complete payload invalid.${partsText(PARTS_BREAKING_BYTE)}`,
    FAIL_FAST_FRAMES,
    (c) => failFast(c, PARTS_BREAKING_BYTE, true),
  ),
  entry(
    '6.4.3',
    `Same as Case 6.4.1, but we send message not in 3 frames, but in 3 chops of the same message frame.${partsText(PARTS_WHOLE_SEQUENCE)}`,
    FAIL_FAST_CHOPS,
    (c) => failFast(c, PARTS_WHOLE_SEQUENCE, false),
  ),
  entry(
    '6.4.4',
    `Same as Case 6.4.2, but we send message not in 3 frames, but in 3 chops of the same message frame.${partsText(PARTS_BREAKING_BYTE)}`,
    FAIL_FAST_CHOPS,
    (c) => failFast(c, PARTS_BREAKING_BYTE, false),
  ),
]

// 6.5-6.23: the UTF-8 decoder test sequences, one text message each

export interface Utf8Sequence {
  valid: boolean
  payload: Uint8Array
}

export interface Utf8Group {
  title: string
  sequences: Utf8Sequence[]
}

const valid = (pairs: string): Utf8Sequence => ({ valid: true, payload: hex(pairs) })
const invalid = (pairs: string): Utf8Sequence => ({ valid: false, payload: hex(pairs) })
const ascii = (text: string): Uint8Array => encoder.encode(text)
const range = (from: number, toExclusive: number): number[] =>
  Array.from({ length: toExclusive - from }, (_, i) => from + i)

/** The last-continuation-byte-missing sequences of 6.14, in Autobahn's order. */
const TRUNCATED = [
  'c0',
  'e0 80',
  'f0 80 80',
  'f8 80 80 80',
  'fc 80 80 80 80',
  'df',
  'ef bf',
  'f7 bf bf',
  'fb bf bf bf',
  'fd bf bf bf bf',
]

/** U+FFFE/U+FFFF and the last two code points of planes 1-16, skipping the overlong f0 8f. */
function nonCharacters(): Utf8Sequence[] {
  const out = [valid('ef bf be'), valid('ef bf bf')]
  for (const lead of [0xf0, 0xf1, 0xf2, 0xf3, 0xf4]) {
    for (const second of [0x8f, 0x9f, 0xaf, 0xbf]) {
      if (lead === 0xf4 && second !== 0x8f) continue // beyond U+10FFFF
      if (lead === 0xf0 && second === 0x8f) continue // overlong
      for (const last of [0xbe, 0xbf])
        out.push({ valid: true, payload: Uint8Array.of(lead, second, 0xbf, last) })
    }
  }
  return out
}

/** Code-point boundaries of κόσμε: the prefixes of these lengths are complete UTF-8. */
const KOSME_BOUNDARIES = [2, 5, 7, 9, 11]

export const UTF8_SEQUENCES: Utf8Group[] = [
  {
    title: 'Some valid UTF-8 sequences',
    sequences: [
      { valid: true, payload: ascii('hello$world') },
      { valid: true, payload: concat(ascii('hello'), hex('c2 a2'), ascii('world')) },
      { valid: true, payload: concat(ascii('hello'), hex('e2 82 ac'), ascii('world')) },
      { valid: true, payload: concat(ascii('hello'), hex('f0 a4 ad a2'), ascii('world')) },
      { valid: true, payload: KOSME },
    ],
  },
  {
    title: 'All prefixes of a valid UTF-8 string that contains multi-byte code points',
    sequences: range(1, KOSME.length + 1).map((n) => ({
      valid: KOSME_BOUNDARIES.includes(n),
      payload: KOSME.slice(0, n),
    })),
  },
  {
    title: 'First possible sequence of a certain length',
    sequences: [valid('00'), valid('c2 80'), valid('e0 a0 80'), valid('f0 90 80 80')],
  },
  {
    title: 'First possible sequence length 5/6 (invalid codepoints)',
    sequences: [invalid('f8 88 80 80 80'), invalid('fc 84 80 80 80 80')],
  },
  {
    title: 'Last possible sequence of a certain length',
    sequences: [valid('7f'), valid('df bf'), valid('ef bf bf'), valid('f4 8f bf bf')],
  },
  {
    title: 'Last possible sequence length 4/5/6 (invalid codepoints)',
    sequences: [invalid('f7 bf bf bf'), invalid('fb bf bf bf bf'), invalid('fd bf bf bf bf bf')],
  },
  {
    title: 'Other boundary conditions',
    sequences: [
      valid('ed 9f bf'),
      valid('ee 80 80'),
      valid('ef bf bd'),
      valid('f4 8f bf bf'),
      invalid('f4 90 80 80'),
    ],
  },
  {
    title: 'Unexpected continuation bytes',
    sequences: [
      invalid('80'),
      invalid('bf'),
      invalid('80 bf'),
      invalid('80 bf 80'),
      invalid('80 bf 80 bf'),
      invalid('80 bf 80 bf 80'),
      invalid('80 bf 80 bf 80 bf'),
      { valid: false, payload: Uint8Array.from(range(0x80, 0xbf)) },
    ],
  },
  {
    title: 'Lonely start characters',
    sequences: [
      [0xc0, 0xdf],
      [0xe0, 0xef],
      [0xf0, 0xf7],
      [0xf8, 0xfb],
      [0xfc, 0xfd],
    ].map(([from, to]) => ({
      valid: false,
      payload: Uint8Array.from(range(from as number, to as number).flatMap((lead) => [lead, 0x20])),
    })),
  },
  {
    title: 'Sequences with last continuation byte missing',
    sequences: TRUNCATED.map(invalid),
  },
  {
    title: 'Concatenation of incomplete sequences',
    sequences: [invalid(TRUNCATED.join(' '))],
  },
  {
    title: 'Impossible bytes',
    sequences: [invalid('fe'), invalid('ff'), invalid('fe fe ff ff')],
  },
  {
    title: 'Examples of an overlong ASCII character',
    sequences: [
      invalid('c0 af'),
      invalid('e0 80 af'),
      invalid('f0 80 80 af'),
      invalid('f8 80 80 80 af'),
      invalid('fc 80 80 80 80 af'),
    ],
  },
  {
    title: 'Maximum overlong sequences',
    sequences: [
      invalid('c1 bf'),
      invalid('e0 9f bf'),
      invalid('f0 8f bf bf'),
      invalid('f8 87 bf bf bf'),
      invalid('fc 83 bf bf bf bf'),
    ],
  },
  {
    title: 'Overlong representation of the NUL character',
    sequences: [
      invalid('c0 80'),
      invalid('e0 80 80'),
      invalid('f0 80 80 80'),
      invalid('f8 80 80 80 80'),
      invalid('fc 80 80 80 80 80'),
    ],
  },
  {
    title: 'Single UTF-16 surrogates',
    sequences: ['ed a0 80', 'ed ad bf', 'ed ae 80', 'ed af bf', 'ed b0 80', 'ed be 80', 'ed bf bf'].map(
      invalid,
    ),
  },
  {
    title: 'Paired UTF-16 surrogates',
    sequences: [
      'ed a0 80 ed b0 80',
      'ed a0 80 ed bf bf',
      'ed ad bf ed b0 80',
      'ed ad bf ed bf bf',
      'ed ae 80 ed b0 80',
      'ed ae 80 ed bf bf',
      'ed af bf ed b0 80',
      'ed af bf ed bf bf',
    ].map(invalid),
  },
  {
    title: 'Non-character code points (valid UTF-8)',
    sequences: nonCharacters(),
  },
  {
    title: 'Unicode specials (i.e. replacement char)',
    sequences: ['ef bf b9', 'ef bf ba', 'ef bf bb', 'ef bf bc', 'ef bf bd', 'ef bf be', 'ef bf bf'].map(
      valid,
    ),
  },
]

class Utf8SequenceCase extends Case {
  constructor(private readonly sequence: Utf8Sequence) {
    super()
  }

  override onOpen(): void {
    const { valid: isValid, payload } = this.sequence
    if (isValid) {
      this.expected.OK = [['message', payload, false]]
      this.expectedClose = normalClose()
    } else {
      this.expected.OK = []
      this.expectedClose = invalidPayloadFailure()
    }
    this.p.sendMessage(payload, false)
    this.p.killAfter(0.5)
  }
}

const sequenceCases: CaseEntry[] = UTF8_SEQUENCES.flatMap((group, g) =>
  group.sequences.map((sequence, s) => ({
    id: `6.${g + 5}.${s + 1}`,
    description: `Send a text message with payload which ${sequence.valid ? 'is' : 'is not'} valid UTF-8 in one fragment.<br><br>Payload: 0x${hexOf(sequence.payload)}`,
    expectation: sequence.valid ? ECHOED : FAILED_NOT_UTF8,
    create: () => new Utf8SequenceCase(sequence),
  })),
)

export const family6: CaseEntry[] = [
  ...emptyFragments,
  ...validUtf8,
  ...invalidUtf8,
  ...failFastCases,
  ...sequenceCases,
]
