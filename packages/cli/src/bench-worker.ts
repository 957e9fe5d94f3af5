/**
 * One worker thread of `wsx bench`: opens its connections, says 'ready', runs the load on
 * 'start', posting progress every 250 ms and its result at the end.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { Load, type LoadPlan } from './bench-load.ts'

export type ToWorker = { type: 'start'; duration: number } | { type: 'stop' }
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; messages: number; bytes: number; errors: number }
  | { type: 'done'; result: import('./bench-load.ts').LoadResult }

const port = parentPort
if (port !== null) {
  const load = new Load(workerData as LoadPlan)
  const post = (message: FromWorker): void => port.postMessage(message)
  port.on('message', (message: ToWorker) => {
    if (message.type === 'stop') {
      load.stop()
      return
    }
    const timer = setInterval(() => post({ type: 'progress', ...load.progress }), 250)
    void load.run(message.duration).then((result) => {
      clearInterval(timer)
      post({ type: 'done', result })
      port.close()
    })
  })
  void load.connect().then(() => post({ type: 'ready' }))
}
