// 9.x: limits and performance. Large messages whole, fragmented and chopped into small TCP
// writes, and 1,000 sequential round trips. Only the echo's type and length are checked for
// the large ones (as in Autobahn); the round trips compare every payload.
import { Case, type CaseEntry, CloseStatus } from '../case.ts'
import { bytesOf, repeatTo } from '../wire.ts'

const KiB = 1024
const MiB = 1024 * 1024
const TEXT_PATTERN = bytesOf('BAsd7&jh23')
const BINARY_PATTERN = new Uint8Array([0xfe])
const STAR = bytesOf('*')

function sizeName(n: number): string {
  return n >= MiB ? `${n / MiB}M` : n >= KiB ? `${n / KiB}k` : `${n}`
}

/** One large message; OK when an echo of the same type and length comes back in time. */
class LargeEcho extends Case {
  constructor(
    private readonly binary: boolean,
    private readonly length: number,
    private readonly waitSeconds: number,
    private readonly send: (c: LargeEcho) => void,
  ) {
    super()
    this.timeoutSeconds = waitSeconds
  }

  onOpen(): void {
    this.behavior = 'FAILED'
    this.expectedClose = { closedByMe: true, closeCode: [CloseStatus.NORMAL], requireClean: true }
    this.result = `Did not receive message within ${this.waitSeconds} seconds.`
    this.send(this)
    this.p.closeAfter(this.waitSeconds)
  }

  override onMessage(payload: Uint8Array, binary: boolean): void {
    const kind = this.binary ? 'binary' : 'text'
    if (binary !== this.binary) {
      this.result = `Expected ${kind} message with payload, but got ${binary ? 'binary' : 'text'}.`
    } else if (payload.length !== this.length) {
      this.result = `Expected ${kind} message with payload of length ${this.length}, but got ${payload.length}.`
    } else {
      this.behavior = 'OK'
      this.result = `Received ${kind} message of length ${payload.length}.`
    }
    this.p.sendClose(CloseStatus.NORMAL)
  }
}

/** `count` sequential round trips of `length`-byte messages, each echo compared byte for byte. */
class RoundTrips extends Case {
  private sent = 0
  private readonly payload: Uint8Array

  constructor(
    private readonly binary: boolean,
    length: number,
    private readonly count: number,
    private readonly waitSeconds: number,
  ) {
    super()
    this.payload = repeatTo(binary ? BINARY_PATTERN : STAR, length)
    this.timeoutSeconds = waitSeconds
  }

  onOpen(): void {
    this.behavior = 'FAILED'
    this.expectedClose = { closedByMe: true, closeCode: [CloseStatus.NORMAL], requireClean: true }
    this.result = `Case did not finish within ${this.waitSeconds} seconds.`
    this.p.closeAfter(this.waitSeconds)
    this.sendOne()
  }

  private sendOne(): void {
    this.sent++
    this.p.sendMessage(this.payload, this.binary)
  }

  override onMessage(payload: Uint8Array, binary: boolean): void {
    if (this.behavior !== 'FAILED' || this.p.state !== 'OPEN') return
    const same = payload.length === this.payload.length && payload.every((b, i) => b === this.payload[i])
    if (binary !== this.binary || !same) {
      this.result = `Echo ${this.sent} differs from what was sent.`
      this.p.sendClose(CloseStatus.NORMAL)
    } else if (this.sent < this.count) {
      this.sendOne()
    } else {
      this.behavior = 'OK'
      this.result = `Ok, received all ${this.count} echoes in time.`
      this.p.sendClose(CloseStatus.NORMAL)
    }
  }
}

function entry(id: string, description: string, expectation: string, create: () => Case): CaseEntry {
  return { id, description, expectation, create }
}

const wholeSizes = [64 * KiB, 256 * KiB, MiB, 4 * MiB, 8 * MiB, 16 * MiB]
const fragmentSizes = [64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB]
const chopSizes = [64, 128, 256, 512, 1024, 2048]
const tripSizes = [0, 16, 64, 256, 1024, 4096]
const tripWaits = [60, 60, 60, 120, 240, 480]

export const family9: CaseEntry[] = []

for (const binary of [false, true]) {
  const kind = binary ? 'binary' : 'text'
  const sub = binary ? 2 : 1
  wholeSizes.forEach((size, i) => {
    const wait = binary ? (size <= 4 * MiB ? 10 : 100) : size <= 256 * KiB ? 10 : 100
    family9.push(
      entry(
        `9.${sub}.${i + 1}`,
        `Send ${kind} message with payload of length ${sizeName(size)}.`,
        `Receive echo'ed ${kind} message (with payload as sent) within ${wait} seconds.`,
        () =>
          new LargeEcho(binary, size, wait, (c) =>
            c.p.sendFrame({
              opcode: binary ? 2 : 1,
              payload: binary ? BINARY_PATTERN : TEXT_PATTERN,
              payloadLen: size,
            }),
          ),
      ),
    )
  })
}

for (const binary of [false, true]) {
  const kind = binary ? 'binary' : 'text'
  const sub = binary ? 4 : 3
  fragmentSizes.forEach((fragment, i) => {
    family9.push(
      entry(
        `9.${sub}.${i + 1}`,
        `Send fragmented ${kind} message with payload of length 4M, in fragments of ${sizeName(fragment)}.`,
        `Receive echo'ed ${kind} message (with payload as sent).`,
        () =>
          new LargeEcho(binary, 4 * MiB, 100, (c) => {
            c.p.autoFragmentSize = fragment
            c.p.sendMessage(repeatTo(binary ? BINARY_PATTERN : STAR, 4 * MiB), binary)
          }),
      ),
    )
  })
}

for (const binary of [false, true]) {
  const kind = binary ? 'binary' : 'text'
  const sub = binary ? 6 : 5
  chopSizes.forEach((chop, i) => {
    family9.push(
      entry(
        `9.${sub}.${i + 1}`,
        `Send ${kind} message with payload of length 1M, written in chops of ${chop} octets.`,
        `Receive echo'ed ${kind} message (with payload as sent).`,
        () =>
          new LargeEcho(binary, MiB, 1000, (c) =>
            c.p.sendFrame({
              opcode: binary ? 2 : 1,
              payload: binary ? BINARY_PATTERN : TEXT_PATTERN,
              payloadLen: MiB,
              chopsize: chop,
            }),
          ),
      ),
    )
  })
}

for (const binary of [false, true]) {
  const kind = binary ? 'binary' : 'text'
  const sub = binary ? 8 : 7
  tripSizes.forEach((size, i) => {
    const wait = tripWaits[i] as number
    family9.push(
      entry(
        `9.${sub}.${i + 1}`,
        `Send 1000 ${kind} messages of payload size ${size}, one after the other (round-trip time).`,
        `Receive echo'ed ${kind} messages (with payload as sent). Timeout case after ${wait} secs.`,
        () => new RoundTrips(binary, size, 1000, wait),
      ),
    )
  })
}
