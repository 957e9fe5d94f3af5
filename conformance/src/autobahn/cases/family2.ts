// Autobahn family 2 (Pings/Pongs): pings must be answered with pongs carrying the same payload,
// unsolicited pongs must be ignored, oversized pings fail the connection. Ports `case2_*.py`.
import { Case, type CaseEntry, CloseStatus } from '../case.ts'

const NORMAL_CLOSE = { closedByMe: true, closeCode: [CloseStatus.NORMAL], requireClean: true }

/** 2.1-2.4, 2.6: one ping, the matching pong expected, the fuzzer closes after a while. */
class PingCase extends Case {
  constructor(
    private readonly payload: Uint8Array | string | undefined,
    private readonly chopsize: number | undefined,
    private readonly closeAfter: number,
  ) {
    super()
  }

  override onOpen(): void {
    this.expected.OK = [['pong', this.payload ?? '']]
    this.expectedClose = { ...NORMAL_CLOSE }
    this.p.sendFrame({
      opcode: 9,
      ...(this.payload === undefined ? {} : { payload: this.payload }),
      ...(this.chopsize === undefined ? {} : { chopsize: this.chopsize }),
    })
    this.p.closeAfter(this.closeAfter)
  }
}

/** 2.5: a ping with a 126-byte payload; the implementation must fail the connection. */
class OversizedPingCase extends Case {
  override onOpen(): void {
    this.expected.OK = []
    this.expectedClose = { closedByMe: false, closeCode: [CloseStatus.PROTOCOL_ERROR], requireClean: false }
    this.p.sendFrame({ opcode: 9, payload: new Uint8Array(126).fill(0xfe) })
    this.p.killAfter(1)
  }
}

/** 2.7, 2.8: an unsolicited pong, then a close; nothing may come back but the close. */
class UnsolicitedPongCase extends Case {
  constructor(private readonly payload: string | undefined) {
    super()
  }

  override onOpen(): void {
    this.expected.OK = []
    this.expectedClose = { ...NORMAL_CLOSE }
    this.p.sendFrame({ opcode: 10, ...(this.payload === undefined ? {} : { payload: this.payload }) })
    this.p.sendClose(CloseStatus.NORMAL)
    this.p.closeAfter(1)
  }
}

/** 2.9: an unsolicited pong, then a ping; exactly one pong (for the ping) comes back. */
class PongThenPingCase extends Case {
  override onOpen(): void {
    const payload = 'ping payload'
    this.expected.OK = [['pong', payload]]
    this.expectedClose = { ...NORMAL_CLOSE }
    this.p.sendFrame({ opcode: 10, payload: 'unsolicited pong payload' })
    this.p.sendFrame({ opcode: 9, payload })
    this.p.closeAfter(1)
  }
}

/** 2.10, 2.11: ten pings back to back; ten pongs in order. */
class TenPingsCase extends Case {
  constructor(private readonly chopsize: number | undefined) {
    super()
  }

  override onOpen(): void {
    const events: ['pong', string][] = []
    this.expected.OK = events
    for (let i = 0; i < 10; i++) {
      const payload = `payload-${i}`
      events.push(['pong', payload])
      this.p.sendFrame({
        opcode: 9,
        payload,
        ...(this.chopsize === undefined ? {} : { chopsize: this.chopsize }),
      })
    }
    this.expectedClose = { ...NORMAL_CLOSE }
    this.p.closeAfter(3)
  }
}

const PONG_ECHOED = "Pong with payload echo'ed is sent in reply to Ping. Clean close with normal code."
const TEN_PONGS =
  'Pongs for our Pings with all the payloads. Note: This is not required by the Spec .. but we check for this behaviour anyway. Clean close with normal code.'

export const family2: CaseEntry[] = [
  {
    id: '2.1',
    description: 'Send ping without payload.',
    expectation: 'Pong (with empty payload) is sent in reply to Ping. Clean close with normal code.',
    create: () => new PingCase(undefined, undefined, 1),
  },
  {
    id: '2.2',
    description: 'Send ping with small text payload.',
    expectation: PONG_ECHOED,
    create: () => new PingCase('Hello, world!', undefined, 1),
  },
  {
    id: '2.3',
    description: 'Send ping with small binary (non UTF-8) payload.',
    expectation: PONG_ECHOED,
    create: () => new PingCase(Uint8Array.of(0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff), undefined, 1),
  },
  {
    id: '2.4',
    description: 'Send ping with binary payload of 125 octets.',
    expectation: PONG_ECHOED,
    create: () => new PingCase(new Uint8Array(125).fill(0xfe), undefined, 1),
  },
  {
    id: '2.5',
    description: 'Send ping with binary payload of 126 octets.',
    expectation:
      'Connection is failed immediately (1002/Protocol Error), since control frames are only allowed to have payload up to and including 125 octets..',
    create: () => new OversizedPingCase(),
  },
  {
    id: '2.6',
    description: 'Send ping with binary payload of 125 octets, send in octet-wise chops.',
    expectation:
      "Pong with payload echo'ed is sent in reply to Ping. Implementations must be TCP clean. Clean close with normal code.",
    create: () => new PingCase(new Uint8Array(125).fill(0xfe), 1, 2),
  },
  {
    id: '2.7',
    description:
      'Send unsolicited pong without payload. Verify nothing is received. Clean close with normal code.',
    expectation: 'Nothing.',
    create: () => new UnsolicitedPongCase(undefined),
  },
  {
    id: '2.8',
    description:
      'Send unsolicited pong with payload. Verify nothing is received. Clean close with normal code.',
    expectation: 'Nothing.',
    create: () => new UnsolicitedPongCase('unsolicited pong payload'),
  },
  {
    id: '2.9',
    description:
      'Send unsolicited pong with payload. Send ping with payload. Verify pong for ping is received.',
    expectation:
      "Nothing in reply to own Pong, but Pong with payload echo'ed in reply to Ping. Clean close with normal code.",
    create: () => new PongThenPingCase(),
  },
  {
    id: '2.10',
    description: 'Send 10 Pings with payload.',
    expectation: TEN_PONGS,
    create: () => new TenPingsCase(undefined),
  },
  {
    id: '2.11',
    description: 'Send 10 Pings with payload. Send out octets in octet-wise chops.',
    expectation: TEN_PONGS,
    create: () => new TenPingsCase(1),
  },
]
