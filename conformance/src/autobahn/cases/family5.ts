// Autobahn family 5 (Fragmentation): fragmented control frames, fragmented text messages
// (whole, per-frame and octet-wise writes), pings inside a message, stray continuations.
// Ports `case5_*.py`.
import { type CaseEntry, normalClose, protocolFailure, scriptedEntry } from '../case.ts'

const entry = scriptedEntry

type Chop = 'one' | 'frame' | 'octet'
const chopOptions = (chop: Chop): { sync?: boolean; chopsize?: number } =>
  chop === 'frame' ? { sync: true } : chop === 'octet' ? { chopsize: 1 } : {}
const chopText: Record<Chop, string> = {
  one: 'sent in one chop',
  frame: 'sent in per-frame chops',
  octet: 'sent in octet-wise chops',
}

const CONTROL_NOT_FRAGMENTED =
  'Connection is failed immediately, since control message MUST NOT be fragmented.'
const NOTHING_TO_CONTINUE = 'The connection is failed immediately, since there is no message to continue.'

function fragmentedControl(id: string, opcode: 9 | 10, name: string): CaseEntry {
  return entry(id, `Send ${name} fragmented into 2 fragments.`, CONTROL_NOT_FRAGMENTED, (c) => {
    c.expected.OK = []
    c.expectedClose = protocolFailure()
    c.p.sendFrame({ opcode, fin: false, payload: 'fragment1' })
    c.p.sendFrame({ opcode: 0, fin: true, payload: 'fragment2' })
    c.p.killAfter(1)
  })
}

function fragmentedText(id: string, chop: Chop): CaseEntry {
  const how: Record<Chop, string> = {
    one: '',
    frame: ', octets are sent in frame-wise chops',
    octet: ', octets are sent in octet-wise chops',
  }
  return entry(
    id,
    `Send text Message fragmented into 2 fragments${how[chop]}.`,
    "Message is processed and echo'ed back to us.",
    (c) => {
      const fragments = ['fragment1', 'fragment2']
      c.expected.OK = [['message', fragments.join(''), false]]
      c.expectedClose = normalClose()
      c.p.sendFrame({ opcode: 1, fin: false, payload: fragments[0], ...chopOptions(chop) })
      c.p.sendFrame({ opcode: 0, fin: true, payload: fragments[1], ...chopOptions(chop) })
      c.p.closeAfter(1)
    },
  )
}

function pingInsideText(id: string, chop: Chop): CaseEntry {
  const how: Record<Chop, string> = {
    one: '',
    frame: ' Octets are sent in frame-wise chops.',
    octet: ' Octets are sent in octet-wise chops.',
  }
  return entry(
    id,
    `Send text Message fragmented into 2 fragments, one ping with payload in-between.${how[chop]}`,
    "A pong is received, then the message is echo'ed back to us.",
    (c) => {
      const pingPayload = 'ping payload'
      const fragments = ['fragment1', 'fragment2']
      c.expected.OK = [
        ['pong', pingPayload],
        ['message', fragments.join(''), false],
      ]
      c.expectedClose = normalClose()
      c.p.sendFrame({ opcode: 1, fin: false, payload: fragments[0], ...chopOptions(chop) })
      c.p.sendFrame({ opcode: 9, fin: true, payload: pingPayload, ...chopOptions(chop) })
      c.p.sendFrame({ opcode: 0, fin: true, payload: fragments[1], ...chopOptions(chop) })
      c.p.closeAfter(1)
    },
  )
}

function strayContinuation(id: string, fin: boolean, chop: Chop): CaseEntry {
  return entry(
    id,
    `Send unfragmented Text Message after Continuation Frame with FIN = ${fin}, where there is nothing to continue, ${chopText[chop]}.`,
    NOTHING_TO_CONTINUE,
    (c) => {
      c.expected.OK = []
      c.expectedClose = protocolFailure()
      c.p.sendFrame({ opcode: 0, fin, payload: 'non-continuation payload', ...chopOptions(chop) })
      c.p.sendFrame({ opcode: 1, fin: true, payload: 'Hello, world!', ...chopOptions(chop) })
      c.p.killAfter(1)
    },
  )
}

function repeatedStrayContinuation(id: string, fin: boolean): CaseEntry {
  return entry(
    id,
    `Repeated 2x: Continuation Frame with FIN = ${fin} (where there is nothing to continue), then text Message fragmented into 2 fragments.`,
    NOTHING_TO_CONTINUE,
    (c) => {
      c.expected.OK = []
      c.expectedClose = protocolFailure()
      for (let i = 0; i < 2; i++) {
        c.p.sendFrame({ opcode: 0, fin, payload: 'fragment1' })
        c.p.sendFrame({ opcode: 1, fin: false, payload: 'fragment2' })
        c.p.sendFrame({ opcode: 0, fin: true, payload: 'fragment3' })
      }
      c.p.killAfter(1)
    },
  )
}

/** 5.19, 5.20: five fragments, a ping after the second, a 1 s pause, a ping before the last. */
function pingsDuringSlowMessage(id: string, sync: boolean): CaseEntry {
  const description = sync
    ? 'Same as Case 5.19, but send all frames with SYNC = True. Note, this does not change the octets sent in any way, only how the stream is chopped up on the wire.'
    : 'A fragmented text message is sent in multiple frames. After sending the first 2 frames of the text message, a Ping is sent. Then we wait 1s, then we send 2 more text fragments, another Ping and then the final text fragment. Everything is legal.'
  const expectation = sync
    ? 'Same as Case 5.19. Implementations must be agnostic to how octet stream is chopped up on wire (must be TCP clean).'
    : "The peer immediately answers the first Ping before it has received the last text message fragment. The peer pong's back the Ping's payload exactly, and echo's the payload of the fragmented message back to us."
  return entry(id, description, expectation, (c) => {
    const fragments = ['fragment1', 'fragment2', 'fragment3', 'fragment4', 'fragment5']
    const pings = ['pongme 1!', 'pongme 2!']
    c.expected.OK = [
      ['pong', pings[0] as string],
      ['pong', pings[1] as string],
      ['message', fragments.join(''), false],
    ]
    c.expectedClose = normalClose()
    c.p.sendFrame({ opcode: 1, fin: false, payload: fragments[0], sync })
    c.p.sendFrame({ opcode: 0, fin: false, payload: fragments[1], sync })
    c.p.sendFrame({ opcode: 9, fin: true, payload: pings[0], sync })
    c.p.continueLater(1, () => {
      c.p.sendFrame({ opcode: 0, fin: false, payload: fragments[2], sync })
      c.p.sendFrame({ opcode: 0, fin: false, payload: fragments[3], sync })
      c.p.sendFrame({ opcode: 9, fin: true, payload: pings[1], sync })
      c.p.sendFrame({ opcode: 0, fin: true, payload: fragments[4], sync })
      c.p.closeAfter(1)
    })
  })
}

export const family5: CaseEntry[] = [
  fragmentedControl('5.1', 9, 'Ping'),
  fragmentedControl('5.2', 10, 'Pong'),
  fragmentedText('5.3', 'one'),
  fragmentedText('5.4', 'frame'),
  fragmentedText('5.5', 'octet'),
  pingInsideText('5.6', 'one'),
  pingInsideText('5.7', 'frame'),
  pingInsideText('5.8', 'octet'),
  strayContinuation('5.9', true, 'one'),
  strayContinuation('5.10', true, 'frame'),
  strayContinuation('5.11', true, 'octet'),
  strayContinuation('5.12', false, 'one'),
  strayContinuation('5.13', false, 'frame'),
  strayContinuation('5.14', false, 'octet'),
  entry(
    '5.15',
    'Send text Message fragmented into 2 fragments, then Continuation Frame with FIN = false where there is nothing to continue, then unfragmented Text Message, all sent in one chop.',
    NOTHING_TO_CONTINUE,
    (c) => {
      const fragments = ['fragment1', 'fragment2', 'fragment3', 'fragment4']
      c.expected.OK = [['message', fragments.slice(0, 2).join(''), false]]
      c.expected['NON-STRICT'] = []
      c.expectedClose = protocolFailure()
      c.p.sendFrame({ opcode: 1, fin: false, payload: fragments[0] })
      c.p.sendFrame({ opcode: 0, fin: true, payload: fragments[1] })
      c.p.sendFrame({ opcode: 0, fin: false, payload: fragments[2] })
      c.p.sendFrame({ opcode: 1, fin: true, payload: fragments[3] })
      c.p.killAfter(1)
    },
  ),
  repeatedStrayContinuation('5.16', false),
  repeatedStrayContinuation('5.17', true),
  entry(
    '5.18',
    'Send text Message fragmented into 2 fragments, with both frame opcodes set to text, sent in one chop.',
    'The connection is failed immediately, since all data frames after the initial data frame must have opcode 0.',
    (c) => {
      c.expected.OK = []
      c.expectedClose = protocolFailure()
      c.p.sendFrame({ opcode: 1, fin: false, payload: 'fragment1' })
      c.p.sendFrame({ opcode: 1, fin: true, payload: 'fragment2' })
      c.p.killAfter(1)
    },
  ),
  pingsDuringSlowMessage('5.19', false),
  pingsDuringSlowMessage('5.20', true),
]
