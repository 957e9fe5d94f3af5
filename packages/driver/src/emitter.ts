/**
 * A small typed event emitter with Node's method names (on, once, off, addListener,
 * removeListener, removeAllListeners, emit, listenerCount), so that code written for Node's
 * EventEmitter, `events.once(connection, 'text')` and `events.on()` work unchanged, while the
 * package stays runtime-neutral. A listener that throws is not caught here: as with Node's
 * emitter, the exception propagates to whoever caused the emit.
 */

// biome-ignore lint/suspicious/noExplicitAny: listener arguments are typed per event by Events
type Listener = (...args: any[]) => void

/** Listeners of one event: a single function (the common case, no array) or several. */
type Slot = Listener | Listener[]

export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  // The first event name's listeners live in two fields; a Map is made only for a second name
  // (most users listen to one or two events, and an idle connection should stay small).
  private firstName: string | symbol | undefined = undefined
  private firstSlot: Slot | undefined = undefined
  private slots: Map<string | symbol, Slot> | null = null

  on<K extends keyof Events & (string | symbol)>(name: K, listener: (...args: Events[K]) => void): this {
    return this.add(name, listener as Listener)
  }

  addListener<K extends keyof Events & (string | symbol)>(
    name: K,
    listener: (...args: Events[K]) => void,
  ): this {
    return this.add(name, listener as Listener)
  }

  once<K extends keyof Events & (string | symbol)>(name: K, listener: (...args: Events[K]) => void): this {
    const wrapper: Listener & { listener?: Listener } = (...args) => {
      this.removeListener(name, wrapper)
      ;(listener as Listener)(...args)
    }
    wrapper.listener = listener as Listener
    return this.add(name, wrapper)
  }

  off<K extends keyof Events & (string | symbol)>(name: K, listener: (...args: Events[K]) => void): this {
    return this.removeListener(name, listener)
  }

  removeListener<K extends keyof Events & (string | symbol)>(
    name: K,
    listener: (...args: Events[K]) => void,
  ): this {
    const slot = this.getSlot(name)
    if (slot === undefined) return this
    const matches = (candidate: Listener): boolean =>
      candidate === listener || (candidate as { listener?: Listener }).listener === listener
    if (typeof slot === 'function') {
      if (matches(slot)) this.deleteSlot(name)
      return this
    }
    // The last matching one, as Node does; a copy, so an emit in progress is not disturbed.
    for (let index = slot.length - 1; index >= 0; index--) {
      if (!matches(slot[index] as Listener)) continue
      const rest = slot.slice(0, index).concat(slot.slice(index + 1))
      if (rest.length === 1) this.setSlot(name, rest[0] as Listener)
      else this.setSlot(name, rest)
      break
    }
    return this
  }

  removeAllListeners(name?: keyof Events & (string | symbol)): this {
    if (name === undefined) {
      this.firstName = undefined
      this.firstSlot = undefined
      this.slots = null
    } else this.deleteSlot(name)
    return this
  }

  listenerCount(name: keyof Events & (string | symbol)): number {
    const slot = this.getSlot(name)
    return slot === undefined ? 0 : typeof slot === 'function' ? 1 : slot.length
  }

  /** Calls every listener of `name` in order; true when there was at least one. */
  emit<K extends keyof Events & (string | symbol)>(name: K, ...args: Events[K]): boolean {
    const slot = this.getSlot(name)
    if (slot === undefined) return false
    if (typeof slot === 'function') {
      slot.apply(this, args)
      return true
    }
    for (const listener of slot) listener.apply(this, args)
    return true
  }

  prependListener<K extends keyof Events & (string | symbol)>(
    name: K,
    listener: (...args: Events[K]) => void,
  ): this {
    this.add(name, listener as Listener)
    const slot = this.getSlot(name)
    if (Array.isArray(slot)) slot.unshift(slot.pop() as Listener)
    return this
  }

  prependOnceListener<K extends keyof Events & (string | symbol)>(
    name: K,
    listener: (...args: Events[K]) => void,
  ): this {
    this.once(name, listener)
    const slot = this.getSlot(name)
    if (Array.isArray(slot)) slot.unshift(slot.pop() as Listener)
    return this
  }

  /** The listeners of `name`, in order (once-wrappers unwrapped). */
  listeners(name: keyof Events & (string | symbol)): Listener[] {
    return this.rawListeners(name).map(
      (listener) => (listener as { listener?: Listener }).listener ?? listener,
    )
  }

  /** The listeners of `name`, in order, once-wrappers included. */
  rawListeners(name: keyof Events & (string | symbol)): Listener[] {
    const slot = this.getSlot(name)
    return slot === undefined ? [] : typeof slot === 'function' ? [slot] : [...slot]
  }

  eventNames(): (string | symbol)[] {
    const names = this.slots === null ? [] : [...this.slots.keys()]
    if (this.firstName !== undefined) names.unshift(this.firstName)
    return names
  }

  /** Accepted for compatibility with Node's EventEmitter; there is no listener limit here. */
  setMaxListeners(_count: number): this {
    return this
  }

  getMaxListeners(): number {
    return 0
  }

  /** Called after a listener is added (a subclass may start delivering events). */
  protected listenerAdded(_name: string | symbol): void {}

  private getSlot(name: string | symbol): Slot | undefined {
    if (name === this.firstName) return this.firstSlot
    return this.slots === null ? undefined : this.slots.get(name)
  }

  private setSlot(name: string | symbol, slot: Slot): void {
    // A new name takes the fields only while no other name is stored, so that eventNames()
    // keeps insertion order, as Node's emitter does.
    if (
      name === this.firstName ||
      (this.firstName === undefined && (this.slots === null || this.slots.size === 0))
    ) {
      this.firstName = name
      this.firstSlot = slot
      return
    }
    this.slots ??= new Map()
    this.slots.set(name, slot)
  }

  private deleteSlot(name: string | symbol): void {
    if (name === this.firstName) {
      this.firstName = undefined
      this.firstSlot = undefined
    } else {
      this.slots?.delete(name)
    }
  }

  private add(name: string | symbol, listener: Listener): this {
    if (typeof listener !== 'function') {
      throw new TypeError(`The listener for "${String(name)}" must be a function, got ${typeof listener}`)
    }
    const slot = this.getSlot(name)
    if (slot === undefined) this.setSlot(name, listener)
    else if (typeof slot === 'function') this.setSlot(name, [slot, listener])
    else this.setSlot(name, [...slot, listener])
    this.listenerAdded(name)
    return this
  }
}
