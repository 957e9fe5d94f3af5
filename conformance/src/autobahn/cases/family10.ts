// Autobahn family 10 (Misc, Auto-Fragmentation): a 64 KiB text message that the fuzzer splits
// into 1300-byte frames (one text frame and 50 continuations, the last of 536 bytes) must come
// back whole. Ports `case10_1_1.py`.
import { Case, type CaseEntry, CloseStatus } from '../case.ts'

/** The frame size the fuzzer fragments the message at. */
export const AUTO_FRAGMENT_SIZE = 1300
const PAYLOAD_LENGTH = 65536

class AutoFragmentationCase extends Case {
  // Leave the fuzzer's own 10 s kill timer room to fire before the runner gives up.
  override timeoutSeconds = 15

  override onOpen(): void {
    const payload = '*'.repeat(PAYLOAD_LENGTH)
    this.p.autoFragmentSize = AUTO_FRAGMENT_SIZE
    this.expected.OK = [['message', payload, false]]
    this.expectedClose = { closedByMe: true, closeCode: [CloseStatus.NORMAL], requireClean: true }
    this.p.sendMessage(payload, false)
    this.p.killAfter(10)
  }
  // Autobahn also fails the case when its own transmit statistics do not show
  // floor(65536 / 1300) = 50 continuation frames and 1 text frame; the Peer interface exposes
  // no transmit statistics, so that check is left to the peer (see the report).
}

export const family10: CaseEntry[] = [
  {
    id: '10.1.1',
    description:
      'Send text message with payload of length 65536 auto-fragmented with <b>autoFragmentSize = 1300</b>.',
    expectation:
      "Receive echo'ed text message (with payload as sent and transmitted frame counts as expected). Clean close with normal code.",
    create: () => new AutoFragmentationCase(),
  },
]
