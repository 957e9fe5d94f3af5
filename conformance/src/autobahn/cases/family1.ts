// Autobahn family 1 (Framing): one text (1.1.x) or binary (1.2.x) frame of a given length,
// echoed back, then a clean close by the fuzzer. Ports `case1_1_*.py` and `case1_2_*.py`.
import { Case, type CaseEntry, CloseStatus } from '../case.ts'

interface FramingSpec {
  id: string
  length: number
  binary: boolean
  chopsize?: number
  killAfter: number
}

class FramingCase extends Case {
  constructor(private readonly spec: FramingSpec) {
    super()
    // Leave the fuzzer's own kill timer room to fire before the runner gives up.
    this.timeoutSeconds = Math.max(this.timeoutSeconds, spec.killAfter + 5)
  }

  override onOpen(): void {
    const { length, binary, chopsize, killAfter } = this.spec
    const payload = binary ? new Uint8Array(length).fill(0xfe) : '*'.repeat(length)
    this.expected.OK = [['message', payload, binary]]
    this.expectedClose = { closedByMe: true, closeCode: [CloseStatus.NORMAL], requireClean: true }
    this.p.sendFrame({ opcode: binary ? 2 : 1, payload, ...(chopsize === undefined ? {} : { chopsize }) })
    this.p.killAfter(killAfter)
  }
}

const lengths: [number, number][] = [
  [0, 1],
  [125, 1],
  [126, 1],
  [127, 1],
  [128, 1],
  [65535, 10],
  [65536, 10],
]

function framingEntries(sub: 1 | 2): CaseEntry[] {
  const binary = sub === 2
  const kind = binary ? 'binary' : 'text'
  const entries: CaseEntry[] = lengths.map(([length, killAfter], i) => {
    const spec: FramingSpec = { id: `1.${sub}.${i + 1}`, length, binary, killAfter }
    return {
      id: spec.id,
      description:
        length === 0
          ? `Send ${kind} message with payload 0.`
          : `Send ${kind} message message with payload of length ${length}.`,
      expectation:
        length === 0
          ? `Receive echo'ed ${kind} message (with empty payload). Clean close with normal code.`
          : `Receive echo'ed ${kind} message (with payload as sent). Clean close with normal code.`,
      create: () => new FramingCase(spec),
    }
  })
  const chopped: FramingSpec = { id: `1.${sub}.8`, length: 65536, binary, chopsize: 997, killAfter: 10 }
  entries.push({
    id: chopped.id,
    description: `Send ${kind} message message with payload of length 65536. Sent out data in chops of 997 octets.`,
    expectation: `Receive echo'ed ${kind} message (with payload as sent). Clean close with normal code.`,
    create: () => new FramingCase(chopped),
  })
  return entries
}

export const family1: CaseEntry[] = [...framingEntries(1), ...framingEntries(2)]
