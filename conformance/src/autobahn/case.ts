// The case model of the fuzzing peer, after the Autobahn|Testsuite's: a case drives the peer
// (the "fuzzer") through the `Peer` interface, records what the implementation under test sent
// back as events, and is graded twice when the TCP connection is gone: `behavior` compares the
// recorded events with the expected ones, `behaviorClose` checks who closed, how and with which
// code. Cases are written against this interface only; they never see a socket.
import { bytesOf } from '../bytes.ts'

/** What the fuzzer records. Payloads are bytes; a string stands for its UTF-8 encoding. */
export type CaseEvent =
  | readonly ['message', Uint8Array | string, boolean]
  | readonly ['pong', Uint8Array | string]
  | readonly ['ping', Uint8Array | string]
  | readonly ['timeout', string]

export type Behavior = 'OK' | 'NON-STRICT' | 'FAILED' | 'INFORMATIONAL' | 'UNIMPLEMENTED'
export type BehaviorClose = 'OK' | 'FAILED' | 'WRONG CODE' | 'UNCLEAN' | 'FAILED BY CLIENT' | 'INFORMATIONAL'

export interface ExpectedClose {
  /** Whether the fuzzer is the endpoint that starts the close (or fails the connection). */
  closedByMe: boolean
  /** Close codes accepted from the implementation; the first is the one the fuzzer sends. */
  closeCode: number[]
  /** Whether the closing handshake must complete (close frames both ways). */
  requireClean: boolean
  /** Invalid UTF-8 cases: when the fuzzer had to close, the implementation never noticed. */
  closedByWrongEndpointIsFatal?: boolean
}

export interface SendFrameOptions {
  opcode: number
  fin?: boolean
  /** The three RSV bits as a number 0..7 (RSV1 is 4). */
  rsv?: number
  payload?: Uint8Array | string
  /** Repeat `payload` until it is this many bytes long. */
  payloadLen?: number
  /** Write the frame in TCP writes of this many octets. */
  chopsize?: number
  /** Write this frame on its own, with a short pause before and after it. */
  sync?: boolean
}

export type PeerState = 'OPEN' | 'CLOSING' | 'CLOSED'

/** The fuzzing endpoint as a case sees it (Autobahn's protocol object). */
export interface Peer {
  /** True when the fuzzer is the server, that is, a client is under test. */
  readonly isServer: boolean
  readonly state: PeerState
  /** Whether permessage-deflate was negotiated for this connection. */
  readonly compressing: boolean
  /** `sendMessage` splits messages into frames of this many payload bytes (0: one frame). */
  autoFragmentSize: number
  /** A raw frame; a close frame sent this way does not change the state. */
  sendFrame(options: SendFrameOptions): void
  /** A whole message, compressed when permessage-deflate is in use, fragmented by `autoFragmentSize`. */
  sendMessage(payload: Uint8Array | string, binary: boolean): void
  /** Starts the closing handshake: a close frame, with no payload when `code` is undefined. */
  sendClose(code?: number, reason?: Uint8Array | string): void
  /** Starts the closing handshake with a close frame carrying exactly `payload` (valid or not). */
  sendCloseFrame(payload: Uint8Array | string): void
  /** Starts an uncompressed message whose frame is trickled with `beginMessageFrame` and friends. */
  beginMessage(binary?: boolean): void
  beginMessageFrame(length: number): void
  sendMessageFrameData(data: Uint8Array | string, sync?: boolean): void
  endMessage(): void
  continueLater(seconds: number, fn: () => void): void
  /** Fails the connection (drops TCP) after `seconds` if it is still open. */
  killAfter(seconds: number): void
  /** Starts a normal close (1000) after `seconds` if the connection is still open. */
  closeAfter(seconds: number): void
}

/** What the peer knows about the connection when it is gone. */
export interface ConnectionOutcome {
  /** The fuzzer sent the first close frame, or failed the connection itself. */
  closedByMe: boolean
  /** The fuzzer closed the TCP connection first. */
  droppedByMe: boolean
  /** Close frames went both ways before the TCP connection closed. */
  wasClean: boolean
  /** The code in the implementation's close frame, null when it sent none or an empty one. */
  remoteCloseCode: number | null
}

/** A permessage-deflate offer as the Autobahn fuzzer makes it (when it is the client). */
export interface DeflateOffer {
  /** Offer client_no_context_takeover (the fuzzer's Autobahn always does). */
  acceptNoContextTakeover: boolean
  /** Offer client_max_window_bits without a value (the fuzzer's Autobahn always does). */
  acceptMaxWindowBits: boolean
  /** server_no_context_takeover */
  requestNoContextTakeover: boolean
  /** server_max_window_bits=N, 0 for none */
  requestMaxWindowBits: number
}

/** A client's offer as the fuzzer (as a server) parsed it. */
export interface ParsedOffer {
  /** Always true, as in Autobahn 0.10.9 (its parser starts from true). */
  acceptNoContextTakeover: boolean
  /** The offer had client_max_window_bits. */
  acceptMaxWindowBits: boolean
  /** The offer had server_no_context_takeover. */
  requestNoContextTakeover: boolean
  /** The offer's server_max_window_bits, 0 when absent. */
  requestMaxWindowBits: number
}

/** How the fuzzer (as a server) answers an accepted offer. */
export interface DeflateAccept {
  offer: ParsedOffer
  /** Ask client_no_context_takeover. */
  requestNoContextTakeover: boolean
  /** Ask client_max_window_bits=N, 0 for none. */
  requestMaxWindowBits: number
}

export const CloseStatus = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
} as const

export { bytesOf }

function sameBytes(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const x = bytesOf(a)
  const y = bytesOf(b)
  if (x.length !== y.length) return false
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false
  return true
}

function sameEvent(a: CaseEvent, b: CaseEvent): boolean {
  if (a[0] !== b[0]) return false
  if (a[0] === 'timeout') return a[1] === b[1]
  if (a[0] === 'message' && b[0] === 'message') return a[2] === b[2] && sameBytes(a[1], b[1])
  return sameBytes(a[1], b[1] as Uint8Array | string)
}

/** Whether two event lists are equal, element by element. */
export function sameEvents(a: readonly CaseEvent[], b: readonly CaseEvent[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (!sameEvent(a[i] as CaseEvent, b[i] as CaseEvent)) return false
  return true
}

/**
 * A test case. Subclasses set `expected` and `expectedClose` (in `init` or `onOpen`) and drive
 * the peer from `onOpen`; the default handlers record events and close once what was received
 * matches every expectation, as Autobahn's do.
 */
export abstract class Case {
  /** Set by the runner before `init`. */
  p!: Peer
  received: CaseEvent[] = []
  expected: Partial<Record<'OK' | 'NON-STRICT', CaseEvent[]>> = {}
  expectedClose: ExpectedClose = { closedByMe: true, closeCode: [CloseStatus.NORMAL], requireClean: true }
  behavior: Behavior = 'FAILED'
  behaviorClose: BehaviorClose = 'FAILED'
  result = 'Actual events differ from any expected.'
  resultClose = 'TCP connection was dropped without close handshake'
  /** Cases that misbehave on purpose around the close keep the default handlers from closing. */
  suppressClose = false
  /** Seconds the runner allows before it gives up on the case (the fuzzer's own timers end most cases sooner). */
  timeoutSeconds = 10
  /** permessage-deflate: the fuzzer-as-client offers; the fuzzer-as-server's accept function. */
  deflateOffers: DeflateOffer[] = []
  deflateAccept: ((offers: ParsedOffer[]) => DeflateAccept | null) | null = null

  /** Called once the peer is attached, before the handshake. */
  init(): void {}
  abstract onOpen(): void

  onMessage(payload: Uint8Array, binary: boolean): void {
    this.received.push(['message', payload, binary])
    this.finishWhenDone()
  }

  onPing(payload: Uint8Array): void {
    this.received.push(['ping', payload])
    this.finishWhenDone()
  }

  onPong(payload: Uint8Array): void {
    this.received.push(['pong', payload])
    this.finishWhenDone()
  }

  /** Grades the case (Autobahn's `onConnectionLost`). */
  onConnectionLost(outcome: ConnectionOutcome): void {
    for (const [verdict, events] of Object.entries(this.expected) as ['OK' | 'NON-STRICT', CaseEvent[]][]) {
      if (sameEvents(this.received, events)) {
        this.behavior = verdict
        this.result = 'Actual events match at least one expected.'
        break
      }
    }
    const close = this.expectedClose
    if (close.closedByMe !== outcome.closedByMe) {
      this.behaviorClose = 'FAILED'
      this.resultClose = 'The connection was failed by the wrong endpoint'
    } else if (close.requireClean && !outcome.wasClean) {
      this.behaviorClose = 'UNCLEAN'
      this.resultClose = 'The spec requires the connection to be failed cleanly here'
    } else if (outcome.remoteCloseCode !== null && !close.closeCode.includes(outcome.remoteCloseCode)) {
      this.behaviorClose = 'WRONG CODE'
      this.resultClose = `The close code should have been ${close.closeCode.join(',')} or empty`
    } else if (!this.p.isServer && outcome.droppedByMe) {
      this.behaviorClose = 'FAILED BY CLIENT'
      this.resultClose = 'It is preferred that the server close the TCP connection'
    } else {
      this.behaviorClose = 'OK'
      this.resultClose = 'Connection was properly closed'
    }
    if (close.closedByWrongEndpointIsFatal === true && close.closedByMe !== outcome.closedByMe) {
      this.behavior = 'FAILED'
    }
  }

  /** Closes (when the fuzzer is to close) once the events match every expectation. */
  finishWhenDone(): void {
    for (const events of Object.values(this.expected)) {
      if (!sameEvents(this.received, events)) return
    }
    if (this.expectedClose.closedByMe && !this.suppressClose) {
      this.p.sendClose(this.expectedClose.closeCode[0])
    }
  }
}

/** The fuzzer closes normally (1000) and the closing handshake must complete. */
export const normalClose = (): ExpectedClose => ({
  closedByMe: true,
  closeCode: [CloseStatus.NORMAL],
  requireClean: true,
})

/** The implementation must fail the connection with 1002 (or just drop TCP). */
export const protocolFailure = (): ExpectedClose => ({
  closedByMe: false,
  closeCode: [CloseStatus.PROTOCOL_ERROR],
  requireClean: false,
})

/** A case whose `onOpen` runs a script: expectations and what the fuzzer sends. */
export class ScriptedCase extends Case {
  constructor(private readonly script: (c: ScriptedCase) => void) {
    super()
  }

  override onOpen(): void {
    this.script(this)
  }
}

/** A case in which the implementation must fail the connection (1002) within a second. */
export class ProtocolFailureCase extends Case {
  constructor(private readonly script: (c: ProtocolFailureCase) => void) {
    super()
  }

  override onOpen(): void {
    this.expectedClose = protocolFailure()
    this.script(this)
    this.p.killAfter(1)
  }
}

/** A registry entry for a scripted case. */
export function scriptedEntry(
  id: string,
  description: string,
  expectation: string,
  script: (c: ScriptedCase) => void,
): CaseEntry {
  return { id, description, expectation, create: () => new ScriptedCase(script) }
}

/** One case in the registry: its id ("1.1.1"), texts, and a factory for a fresh instance. */
export interface CaseEntry {
  id: string
  description: string
  expectation: string
  create(): Case
}
