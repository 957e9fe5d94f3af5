/**
 * Event handler IDL attributes (HTML Standard, "event handlers"): `onopen` and friends. Setting
 * a callable stores it and, the first time, adds one listener that calls the current handler,
 * so the handler keeps its place among the listeners from that first assignment. Setting
 * anything else stores null and removes that listener; a later handler goes to the end.
 */
import type { WebEvent, WebEventTarget } from './globals.ts'

interface Slot {
  handler: ((this: unknown, event: WebEvent) => unknown) | null
  listener: ((event: WebEvent) => void) | null
}

const slots = new WeakMap<object, Map<string, Slot>>()

function slotOf(target: object, type: string): Slot {
  let map = slots.get(target)
  if (map === undefined) {
    map = new Map()
    slots.set(target, map)
  }
  let slot = map.get(type)
  if (slot === undefined) {
    slot = { handler: null, listener: null }
    map.set(type, slot)
  }
  return slot
}

/**
 * Defines `on<type>` accessors on `prototype` for each event type. `check` throws a TypeError
 * when the receiver is not an instance of the interface.
 */
export function defineEventHandlers(
  prototype: object,
  types: readonly string[],
  check: (receiver: unknown) => void,
): void {
  for (const type of types) {
    const name = `on${type}`
    const accessors = {
      get(this: WebEventTarget): unknown {
        check(this)
        return slotOf(this, type).handler
      },
      set(this: WebEventTarget, value: unknown): void {
        check(this)
        const slot = slotOf(this, type)
        if (typeof value !== 'function') {
          slot.handler = null
          if (slot.listener !== null) {
            this.removeEventListener(type, slot.listener)
            slot.listener = null
          }
          return
        }
        slot.handler = value as Slot['handler']
        if (slot.listener === null) {
          slot.listener = (event: WebEvent): void => {
            const handler = slot.handler
            if (handler === null) return
            const result = handler.call(this, event)
            if (result === false) event.preventDefault()
          }
          this.addEventListener(type, slot.listener)
        }
      },
    }
    Object.defineProperty(accessors.get, 'name', { value: `get ${name}` })
    Object.defineProperty(accessors.set, 'name', { value: `set ${name}` })
    Object.defineProperty(prototype, name, { ...accessors, enumerable: true, configurable: true })
  }
}
