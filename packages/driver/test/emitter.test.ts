import { EventEmitter, on, once } from 'node:events'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Emitter } from '../src/emitter.ts'

interface Events {
  a: [value: number]
  b: [left: string, right: string]
  error: [error: Error]
}

/** Runs the same script on Node's EventEmitter and on ours, recording what each listener saw. */
function script(emitter: EventEmitter | Emitter<Events>): string[] {
  const seen: string[] = []
  const e = emitter as Emitter<Events>
  const first = (value: number): void => {
    seen.push(`first ${value}`)
  }
  const second = (value: number): void => {
    seen.push(`second ${value}`)
  }
  e.on('a', first)
  e.once('a', second)
  e.prependListener('a', (value) => seen.push(`prepended ${value}`))
  e.prependOnceListener('a', (value) => seen.push(`prepended once ${value}`))
  seen.push(`count ${e.listenerCount('a')}`)
  seen.push(`emit ${e.emit('a', 1)}`)
  seen.push(`emit ${e.emit('a', 2)}`)
  e.off('a', first)
  seen.push(`emit ${e.emit('a', 3)}`)
  e.on('b', (left, right) => seen.push(`b ${left}${right}`))
  e.on('b', (left) => {
    // Removing a listener during an emit does not disturb the emit in progress.
    e.removeAllListeners('b')
    seen.push(`b2 ${left}`)
  })
  e.emit('b', 'x', 'y')
  seen.push(`emit b ${e.emit('b', 'x', 'y')}`)
  // once() removed by the original function.
  e.once('a', second)
  e.removeListener('a', second)
  seen.push(`count ${e.listenerCount('a')}`)
  seen.push(`names ${e.eventNames().map(String).join(',')}`)
  seen.push(`listeners ${e.listeners('a').length} raw ${e.rawListeners('a').length}`)
  e.removeAllListeners()
  seen.push(`after all ${e.listenerCount('a')} ${e.emit('a', 4)}`)
  return seen
}

test('behaves as Node EventEmitter does, call for call', () => {
  const ours = script(new Emitter<Events>())
  const node = script(new EventEmitter())
  assert.equal(ours, node)
  assert.ok(ours.length > 10)
})

test('events.once and events.on from node:events work with it', async () => {
  const emitter = new Emitter<Events>()
  setTimeout(() => emitter.emit('b', 'l', 'r'), 1)
  assert.equal(await once(emitter as never, 'b'), ['l', 'r'])
  assert.is(emitter.listenerCount('b'), 0, 'once() cleaned up')
  assert.is(emitter.listenerCount('error'), 0, 'and its error listener')
  const controller = new AbortController()
  setTimeout(() => {
    emitter.emit('a', 1)
    emitter.emit('a', 2)
  }, 1)
  const values: number[] = []
  try {
    for await (const [value] of on(emitter as never, 'a', { signal: controller.signal })) {
      values.push(value as number)
      if (values.length === 2) controller.abort()
    }
  } catch (error) {
    assert.is((error as Error).name, 'AbortError')
  }
  assert.equal(values, [1, 2])
})

test('a listener that is not a function is a TypeError; max listeners are accepted and ignored', () => {
  const emitter = new Emitter<Events>()
  assert.throws(
    () => emitter.on('a', 42 as never),
    (error: Error) => error instanceof TypeError && /"a"/.test(error.message),
  )
  assert.is(emitter.setMaxListeners(1), emitter)
  assert.is(emitter.getMaxListeners(), 0)
  emitter.on('a', () => {}).on('a', () => {})
  assert.is(emitter.listenerCount('a'), 2)
})

test('a throwing listener propagates to the emitter, as in Node', () => {
  const emitter = new Emitter<Events>()
  emitter.on('a', () => {
    throw new Error('boom')
  })
  assert.throws(() => emitter.emit('a', 1), /boom/)
})

test.run()
