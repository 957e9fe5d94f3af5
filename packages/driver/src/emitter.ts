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
    const slot = this.slots?.get(name)
    if (slot === undefined) return this
    const matches = (candidate: Listener): boolean =>
      candidate === listener || (candidate as { listener?: Listener }).listener === listener
    if (typeof slot === 'function') {
      if (matches(slot)) this.slots?.delete(name)
      return this
    }
    // The last matching one, as Node does; a copy, so an emit in progress is not disturbed.
    for (let index = slot.length - 1; index >= 0; index--) {
      if (!matches(slot[index] as Listener)) continue
      const rest = slot.slice(0, index).concat(slot.slice(index + 1))
      if (rest.length === 1) this.slots?.set(name, rest[0] as Listener)
      else this.slots?.set(name, rest)
      break
    }
    return this
  }

  removeAllListeners(name?: keyof Events & (string | symbol)): this {
    if (name === undefined) this.slots = null
    else this.slots?.delete(name)
    return this
  }

  listenerCount(name: keyof Events & (string | symbol)): number {
    const slot = this.slots?.get(name)
    return slot === undefined ? 0 : typeof slot === 'function' ? 1 : slot.length
  }

  /** Calls every listener of `name` in order; true when there was at least one. */
  emit<K extends keyof Events & (string | symbol)>(name: K, ...args: Events[K]): boolean {
    const slot = this.slots?.get(name)
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
    const slot = this.slots?.get(name)
    if (Array.isArray(slot)) slot.unshift(slot.pop() as Listener)
    return this
  }

  prependOnceListener<K extends keyof Events & (string | symbol)>(
    name: K,
    listener: (...args: Events[K]) => void,
  ): this {
    this.once(name, listener)
    const slot = this.slots?.get(name)
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
    const slot = this.slots?.get(name)
    return slot === undefined ? [] : typeof slot === 'function' ? [slot] : [...slot]
  }

  eventNames(): (string | symbol)[] {
    return this.slots === null ? [] : [...this.slots.keys()]
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

  private add(name: string | symbol, listener: Listener): this {
    if (typeof listener !== 'function') {
      throw new TypeError(`The listener for "${String(name)}" must be a function, got ${typeof listener}`)
    }
    this.slots ??= new Map()
    const slot = this.slots.get(name)
    if (slot === undefined) this.slots.set(name, listener)
    else if (typeof slot === 'function') this.slots.set(name, [slot, listener])
    else this.slots.set(name, [...slot, listener])
    this.listenerAdded(name)
    return this
  }
}
