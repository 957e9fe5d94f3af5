// Autobahn family 3 (Reserved Bits): frames with RSV bits set while no extension gives them a
// meaning must fail the connection (1002). Ports `case3_*.py`.
import { type CaseEntry, ProtocolFailureCase, type SendFrameOptions } from '../case.ts'

const ECHO_THEN_FAIL =
  'Echo for first message is received, but then connection is failed immediately, since RSV must be 0, when no extension defining RSV meaning has been negotiated. The Pong is not received.'
const FAIL = 'The connection is failed immediately, since RSV must be 0.'

/** 3.2-3.4: a valid text, the same text with RSV bits set, a ping; the echo of the first is OK. */
function textThenReserved(
  id: string,
  rsv: number,
  chop: { sync?: boolean; chopsize?: number },
  how: string,
): CaseEntry {
  return {
    id,
    description: `Send small text message, then send again with <b>RSV = ${rsv}</b>, then send Ping.${how}`,
    expectation: ECHO_THEN_FAIL,
    create: () =>
      new ProtocolFailureCase((c) => {
        const payload = 'Hello, world!'
        c.expected.OK = [['message', payload, false]]
        c.expected['NON-STRICT'] = []
        c.p.sendFrame({ opcode: 1, payload, ...chop })
        c.p.sendFrame({ opcode: 1, payload, rsv, ...chop })
        c.p.sendFrame({ opcode: 9, ...chop })
      }),
  }
}

/** 3.1, 3.5-3.7: one frame with RSV bits set; nothing may come back. */
function reservedFrame(
  id: string,
  description: string,
  expectation: string,
  frame: SendFrameOptions,
): CaseEntry {
  return {
    id,
    description,
    expectation,
    create: () =>
      new ProtocolFailureCase((c) => {
        c.expected.OK = []
        c.p.sendFrame({ ...frame })
      }),
  }
}

export const family3: CaseEntry[] = [
  reservedFrame(
    '3.1',
    'Send small text message with <b>RSV = 1</b>.',
    'The connection is failed immediately (1002/protocol error), since RSV must be 0, when no extension defining RSV meaning has been negotiated.',
    { opcode: 1, payload: 'Hello, world!', rsv: 1 },
  ),
  textThenReserved('3.2', 2, {}, ''),
  textThenReserved(
    '3.3',
    3,
    { sync: true },
    ' Octets are sent in frame-wise chops. Octets are sent in octet-wise chops.',
  ),
  textThenReserved('3.4', 4, { chopsize: 1 }, ' Octets are sent in octet-wise chops.'),
  reservedFrame('3.5', 'Send small binary message with <b>RSV = 5</b>.', FAIL, {
    opcode: 2,
    payload: Uint8Array.of(0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff),
    rsv: 5,
  }),
  // Autobahn's description says "Ping", but the frame it sends is a binary one (opcode 2).
  reservedFrame('3.6', 'Send Ping with <b>RSV = 6</b>.', FAIL, {
    opcode: 2,
    payload: 'Hello, world!',
    rsv: 6,
  }),
  reservedFrame('3.7', 'Send Close with <b>RSV = 7</b>.', FAIL, { opcode: 8, rsv: 7 }),
]
