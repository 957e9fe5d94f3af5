/**
 * The WebSocket task source: the Standard queues every event as a task. Tasks run in the order
 * they were queued (one queue for every WebSocket and WebSocketStream, as one task source),
 * each in its own macrotask, so that the microtasks a task causes run before the next task.
 *
 * The macrotask is `setImmediate` where the runtime has it (Node, Bun: no 1 ms clamp), else
 * `setTimeout(fn, 0)` (Deno, browsers, workers). Nothing here ever runs synchronously.
 */
import { web } from './globals.ts'

type Task = () => void

const queue: Task[] = []
let head = 0

const schedule: (run: () => void) => void =
  typeof web.setImmediate === 'function'
    ? (run) => {
        ;(web.setImmediate as (callback: () => void) => unknown)(run)
      }
    : (run) => {
        web.setTimeout(run, 0)
      }

function runOne(): void {
  const task = queue[head]
  if (task === undefined) return
  queue[head] = noop
  head++
  if (head === queue.length) {
    queue.length = 0
    head = 0
  } else if (head > 1024 && head * 2 > queue.length) {
    queue.splice(0, head)
    head = 0
  }
  task()
}

function noop(): void {}

/** Queues `task` on the WebSocket task source. */
export function queueTask(task: Task): void {
  queue.push(task)
  schedule(runOne)
}

/** Resolves in a later macrotask (a turn of the event loop), for code that waits between tasks. */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => schedule(resolve))
}
