// Autobahn family 7 (Close Handling): what an endpoint does around the close handshake, close
// frame payload lengths and values, valid, invalid and unassigned close codes. Ports
// `case7_1_*.py`, `case7_3_*.py`, `case7_5_1.py`, `case7_7_X.py`, `case7_9_X.py`, `case7_13_*.py`.
import { Case, type CaseEntry, CloseStatus, type ConnectionOutcome, normalClose } from '../case.ts'

/** The 7.x grading: a close code outside the accepted list fails the main verdict too. */
class CloseCase extends Case {
  constructor(
    private readonly script: (c: CloseCase) => void,
    suppressClose: boolean,
  ) {
    super()
    this.suppressClose = suppressClose
  }

  override onOpen(): void {
    this.script(this)
  }

  override onConnectionLost(outcome: ConnectionOutcome): void {
    super.onConnectionLost(outcome)
    if (this.behaviorClose === 'WRONG CODE') {
      this.behavior = 'FAILED'
      this.result = this.resultClose
    }
  }
}

/** 7.1.6 and 7.13.x: behaviour the RFC leaves open; both verdicts are INFORMATIONAL. */
class InformationalCase extends Case {
  constructor(
    private readonly script: (c: InformationalCase) => void,
    private readonly describeOutcome: (c: InformationalCase) => void,
  ) {
    super()
    this.suppressClose = true
  }

  override onOpen(): void {
    this.script(this)
  }

  override onConnectionLost(outcome: ConnectionOutcome): void {
    super.onConnectionLost(outcome)
    this.describeOutcome(this)
    this.behavior = 'INFORMATIONAL'
    this.behaviorClose = 'INFORMATIONAL'
  }
}

function closeEntry(
  id: string,
  description: string,
  expectation: string,
  script: (c: CloseCase) => void,
  suppressClose = true,
): CaseEntry {
  return { id, description, expectation, create: () => new CloseCase(script, suppressClose) }
}

/** Bytes from space-separated hex pairs. */
function hex(pairs: string): Uint8Array {
  return Uint8Array.from(pairs.split(' '), (pair) => Number.parseInt(pair, 16))
}

const protocolErrorOrDrop = () => ({
  closedByMe: true,
  closeCode: [CloseStatus.PROTOCOL_ERROR],
  requireClean: false,
})

/** κόσμε, then U+D800 as ed a0 80 (a surrogate, invalid UTF-8), then "edited". */
const INVALID_UTF8_REASON = hex('ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64')

const VALID_CLOSE_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]
const INVALID_CLOSE_CODES = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999]
const INFORMATIONAL_CLOSE_CODES = [5000, 65535]

const basicClose: CaseEntry[] = [
  closeEntry(
    '7.1.1',
    'Send a message followed by a close frame',
    'Echoed message followed by clean close with normal code.',
    (c) => {
      const payload = 'Hello World!'
      c.expected.OK = [['message', payload, false]]
      c.expectedClose = normalClose()
      c.p.sendFrame({ opcode: 1, payload })
      c.p.killAfter(1)
    },
    false,
  ),
  closeEntry(
    '7.1.2',
    'Send two close frames',
    'Clean close with normal code. Second close frame ignored.',
    (c) => {
      c.expected.OK = []
      c.expectedClose = normalClose()
      c.p.sendClose(CloseStatus.NORMAL)
      c.p.sendFrame({ opcode: 8 })
      c.p.killAfter(1)
    },
  ),
  closeEntry('7.1.3', 'Send a ping after close message', 'Clean close with normal code, no pong.', (c) => {
    c.expected.OK = []
    c.expectedClose = normalClose()
    c.p.sendClose(CloseStatus.NORMAL)
    c.p.sendFrame({ opcode: 9 })
    c.p.killAfter(1)
  }),
  closeEntry(
    '7.1.4',
    'Send text message after sending a close frame.',
    'Clean close with normal code. Text message ignored.',
    (c) => {
      c.expected.OK = []
      c.expectedClose = normalClose()
      c.p.sendClose(CloseStatus.NORMAL)
      c.p.sendFrame({ opcode: 1, payload: 'Hello World!' })
      c.p.killAfter(1)
    },
  ),
  closeEntry(
    '7.1.5',
    'Send message fragment1 followed by close then fragment',
    'Clean close with normal code.',
    (c) => {
      c.expected.OK = []
      c.expectedClose = normalClose()
      c.p.sendFrame({ opcode: 1, fin: false, payload: 'fragment1' })
      c.p.sendClose(CloseStatus.NORMAL)
      c.p.sendFrame({ opcode: 0, fin: true, payload: 'fragment2' })
      c.p.killAfter(1)
    },
  ),
  {
    id: '7.1.6',
    description: 'Send 256K message followed by close then a ping',
    expectation:
      'Case outcome depends on implementation defined close behavior. Message and close frame are sent back to back. If the close frame is processed before the text message write is complete (as can happen in asynchronous processing models) the close frame is processed first and the text message may not be received or may only be partially received.',
    create: () =>
      new InformationalCase(
        (c) => {
          const payload = 'Hello World!'
          c.expected.OK = [['message', payload, false]]
          c.expected['NON-STRICT'] = []
          c.expectedClose = normalClose()
          c.p.sendFrame({ opcode: 1, payload: 'BAsd7&jh23', payloadLen: 256 * 1024 })
          c.p.sendFrame({ opcode: 1, payload })
          c.p.sendClose(CloseStatus.NORMAL)
          c.p.sendFrame({ opcode: 9 })
          c.p.killAfter(1)
        },
        (c) => {
          if (c.behavior === 'OK') c.result = 'Text message was processed before close.'
          else if (c.behavior === 'NON-STRICT')
            c.result = 'Close was processed before text message could be returned.'
        },
      ),
  },
]

const closePayloadLength: CaseEntry[] = [
  closeEntry(
    '7.3.1',
    'Send a close frame with payload length 0 (no close code, no close reason)',
    'Clean close with normal code.',
    (c) => {
      c.expected.OK = []
      c.expectedClose = normalClose()
      c.p.sendClose()
      c.p.killAfter(1)
    },
  ),
  closeEntry(
    '7.3.2',
    'Send a close frame with payload length 1',
    'Clean close with protocol error or drop TCP.',
    (c) => {
      c.expected.OK = []
      c.expectedClose = protocolErrorOrDrop()
      // A close payload of one octet (a reason without a code): the fuzzer's own close, with
      // exactly this payload.
      c.p.sendCloseFrame('a')
      c.p.killAfter(1)
    },
  ),
  closeEntry(
    '7.3.3',
    'Send a close frame with payload length 2 (regular close with a code)',
    'Clean close with normal code.',
    (c) => {
      c.expected.OK = []
      c.expectedClose = normalClose()
      c.p.sendClose(CloseStatus.NORMAL)
      c.p.killAfter(1)
    },
  ),
  closeEntry(
    '7.3.4',
    'Send a close frame with close code and close reason',
    'Clean close with normal code.',
    (c) => {
      c.expected.OK = []
      c.expectedClose = normalClose()
      c.p.sendClose(CloseStatus.NORMAL, 'Hello World!')
      c.p.killAfter(1)
    },
  ),
  closeEntry(
    '7.3.5',
    'Send a close frame with close code and close reason of maximum length (123)',
    'Clean close with normal code.',
    (c) => {
      c.expected.OK = []
      c.expectedClose = normalClose()
      c.p.sendClose(CloseStatus.NORMAL, '*'.repeat(123))
      c.p.killAfter(1)
    },
  ),
  closeEntry(
    '7.3.6',
    'Send a close frame with close code and close reason which is too long (124) - total frame payload 126 octets',
    'Clean close with protocol error code or dropped TCP connection.',
    (c) => {
      c.expected.OK = []
      c.expectedClose = protocolErrorOrDrop()
      c.p.sendClose(CloseStatus.NORMAL, '*'.repeat(124))
      c.p.killAfter(1)
    },
  ),
]

const closePayloadValue: CaseEntry[] = [
  closeEntry(
    '7.5.1',
    'Send a close frame with invalid UTF8 payload',
    'Clean close with protocol error or invalid utf8 code or dropped TCP.',
    (c) => {
      c.expected.OK = []
      c.expectedClose = {
        closedByMe: true,
        closeCode: [CloseStatus.PROTOCOL_ERROR, CloseStatus.INVALID_PAYLOAD],
        requireClean: false,
      }
      c.p.sendClose(CloseStatus.NORMAL, INVALID_UTF8_REASON)
      c.p.killAfter(1)
    },
  ),
]

const validCodes: CaseEntry[] = VALID_CLOSE_CODES.map((code, i) =>
  closeEntry(
    `7.7.${i + 1}`,
    `Send close with valid close code ${code}`,
    'Clean close with normal or echoed code',
    (c) => {
      c.expected.OK = []
      c.expectedClose = { closedByMe: true, closeCode: [CloseStatus.NORMAL, code], requireClean: true }
      c.p.sendClose(code)
      c.p.killAfter(1)
    },
    false,
  ),
)

const invalidCodes: CaseEntry[] = INVALID_CLOSE_CODES.map((code, i) =>
  closeEntry(
    `7.9.${i + 1}`,
    `Send close with invalid close code ${code}`,
    'Clean close with protocol error code or drop TCP',
    (c) => {
      c.expected.OK = []
      c.expectedClose = protocolErrorOrDrop()
      c.p.sendClose(code)
      c.p.killAfter(1)
    },
    false,
  ),
)

const informationalCodes: CaseEntry[] = INFORMATIONAL_CLOSE_CODES.map((code, i) => ({
  id: `7.13.${i + 1}`,
  description: `Send close with close code ${code}`,
  expectation: 'Actual events are undefined by the spec.',
  create: () =>
    new InformationalCase(
      (c) => {
        c.expected.OK = []
        c.expectedClose = {
          closedByMe: true,
          closeCode: [CloseStatus.NORMAL, code, CloseStatus.PROTOCOL_ERROR],
          requireClean: false,
        }
        c.p.sendClose(code)
        c.p.killAfter(1)
      },
      (c) => {
        c.result = 'Actual events are undefined by the spec.'
      },
    ),
}))

export const family7: CaseEntry[] = [
  ...basicClose,
  ...closePayloadLength,
  ...closePayloadValue,
  ...validCodes,
  ...invalidCodes,
  ...informationalCodes,
]
