/**
 * CloseEvent (WebSockets Standard, "The CloseEvent interface"): the runtime's own when it has
 * one, else this definition, an Event with `wasClean`, `code` and `reason` from its init
 * dictionary (`boolean wasClean = false; unsigned short code = 0; USVString reason = ""`).
 */
import { baseClass, type WebEvent, type WebEventInit, web } from './globals.ts'
import { requireArguments, shapeInterface, toDictionary, toDOMString, toUSVString } from './webidl.ts'

export interface CloseEventInit extends WebEventInit {
  wasClean?: boolean
  code?: number
  reason?: string
}

export interface CloseEventInstance extends WebEvent {
  readonly wasClean: boolean
  readonly code: number
  readonly reason: string
}

export type CloseEventConstructor = new (type: string, init?: CloseEventInit) => CloseEventInstance

interface Fields {
  wasClean: boolean
  code: number
  reason: string
}

const fields = new WeakMap<object, Fields>()

function fieldsOf(event: unknown): Fields {
  const found = typeof event === 'object' && event !== null ? fields.get(event) : undefined
  if (found === undefined) throw new TypeError('Illegal invocation: not a CloseEvent')
  return found
}

/** WebIDL `unsigned short` without [Clamp] or [EnforceRange]: modulo 2^16. */
function toUnsignedShort(value: unknown): number {
  if (typeof value === 'bigint') throw new TypeError('Cannot convert a BigInt value to a number')
  const number = Number(value)
  if (!Number.isFinite(number)) return 0
  const integer = Math.trunc(number) % 65536
  return integer < 0 ? integer + 65536 : integer === 0 ? 0 : integer
}

/** Our CloseEvent (exported for tests: the package exports the runtime's own where it has one). */
export function defineCloseEvent(): CloseEventConstructor {
  class CloseEvent extends baseClass<typeof web.Event>('Event') {
    constructor(type: string, eventInitDict: CloseEventInit = {}) {
      // biome-ignore lint/complexity/noArguments: WebIDL checks how many arguments were passed, while the function's length must stay as the IDL says
      requireArguments(arguments.length, 1, "Failed to construct 'CloseEvent'")
      const typeText = toDOMString(type)
      const init = toDictionary(eventInitDict, "CloseEvent's eventInitDict")
      super(typeText, init as WebEventInit)
      fields.set(this, {
        wasClean: init.wasClean === undefined ? false : Boolean(init.wasClean),
        code: init.code === undefined ? 0 : toUnsignedShort(init.code),
        reason: init.reason === undefined ? '' : toUSVString(init.reason),
      })
    }

    get wasClean(): boolean {
      return fieldsOf(this).wasClean
    }

    get code(): number {
      return fieldsOf(this).code
    }

    get reason(): string {
      return fieldsOf(this).reason
    }
  }
  shapeInterface(CloseEvent, ['wasClean', 'code', 'reason'], {}, 'CloseEvent')
  return CloseEvent as unknown as CloseEventConstructor
}

/** The runtime's CloseEvent, or ours where it has none (Node 20). */
export const CloseEvent: CloseEventConstructor = web.CloseEvent
  ? (web.CloseEvent as unknown as CloseEventConstructor)
  : defineCloseEvent()
