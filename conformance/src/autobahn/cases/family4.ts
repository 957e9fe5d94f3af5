// Autobahn family 4 (Opcodes): frames with reserved data (3-7) or control (11-15) opcodes must
// fail the connection (1002). Ports `case4_1_*.py` and `case4_2_*.py`.
import { type CaseEntry, ProtocolFailureCase } from '../case.ts'

const ECHO_THEN_FAIL =
  'Echo for first message is received, but then connection is failed immediately, since reserved opcode frame is used. A Pong is not received.'

/** x.1 / x.2: the reserved-opcode frame alone, empty or with a payload. */
function reservedAlone(id: string, kind: string, opcode: number, withPayload: boolean): CaseEntry {
  return {
    id,
    description: `Send frame with reserved ${kind} <b>Opcode = ${opcode}</b>${withPayload ? ' and non-empty payload' : ''}.`,
    expectation: 'The connection is failed immediately.',
    create: () =>
      new ProtocolFailureCase((c) => {
        c.expected.OK = []
        c.p.sendFrame(withPayload ? { opcode, payload: 'reserved opcode payload' } : { opcode })
      }),
  }
}

/** x.3-x.5: a valid text, the reserved-opcode frame, a ping; the echo of the first is OK. */
function reservedAfterText(
  id: string,
  kind: string,
  opcode: number,
  withPayload: boolean,
  octetWise: boolean,
): CaseEntry {
  return {
    id,
    description: `Send small text message, then send frame with reserved ${kind} <b>Opcode = ${opcode}</b>${withPayload ? ' and non-empty payload' : ''}, then send Ping.`,
    expectation: ECHO_THEN_FAIL,
    create: () =>
      new ProtocolFailureCase((c) => {
        const payload = 'Hello, world!'
        const chop = octetWise ? { chopsize: 1 } : {}
        c.expected.OK = [['message', payload, false]]
        c.expected['NON-STRICT'] = []
        c.p.sendFrame({ opcode: 1, payload, ...chop })
        c.p.sendFrame(withPayload ? { opcode, payload, ...chop } : { opcode, ...chop })
        c.p.sendFrame({ opcode: 9, ...chop })
      }),
  }
}

export const family4: CaseEntry[] = [
  reservedAlone('4.1.1', 'non-control', 3, false),
  reservedAlone('4.1.2', 'non-control', 4, true),
  reservedAfterText('4.1.3', 'non-control', 5, false, false),
  reservedAfterText('4.1.4', 'non-control', 6, true, false),
  reservedAfterText('4.1.5', 'non-control', 7, true, true),
  reservedAlone('4.2.1', 'control', 11, false),
  reservedAlone('4.2.2', 'control', 12, true),
  reservedAfterText('4.2.3', 'control', 13, false, false),
  reservedAfterText('4.2.4', 'control', 14, true, false),
  reservedAfterText('4.2.5', 'control', 15, true, true),
]
