/**
 * A child process holding our idle WebSockets for the HTTP/2 memory reading:
 * `h2-client-process.ts h2|tcp PORT`. `h2` opens them with @ws/node-h2's connect()
 * (`requireHttp2`, h2c to ws://127.0.0.1:PORT/), all as streams of one HTTP/2 session of one
 * pool; `tcp` with @ws/node-tcp's connect(), one TCP connection each. permessage-deflate off,
 * one `binary` listener each. Before its greeting it opens and closes one WebSocket of its kind
 * (for `h2`, on a pool of its own, whose session it closes), so that code and shared state are
 * in place before the first reading. Commands, one per stdin line: `memory` (a reading), `open
 * N` (opens N more, 50 at a time, then a reading), `close` (closes them all). Readings count
 * the WebSockets whose state is 'open' and the distinct HTTP/2 sessions their streams use.
 */
import type { Connection } from '@ws/driver'
import { H2SessionPool } from '../../node-h2/src/index.ts'
import { serveCommands } from './child.ts'
import { openOurs, sessionsOf } from './h2-clients.ts'
import { memorySnapshot } from './snapshot.ts'

const [kind, port] = process.argv.slice(2)
if ((kind !== 'h2' && kind !== 'tcp') || !/^\d+$/.test(port ?? '')) {
  throw new Error('usage: h2-client-process.ts h2|tcp PORT')
}
const url = `ws://127.0.0.1:${port}/`

const pool = kind === 'h2' ? new H2SessionPool() : undefined
const clients: Connection[] = []
const reading = () => ({
  ...memorySnapshot(clients.filter((client) => client.state === 'open').length),
  sessions: sessionsOf(clients),
})

serveCommands(async (command) => {
  const [name, argument] = command.split(' ')
  if (name === 'memory') return reading()
  if (name === 'open' && /^\d+$/.test(argument ?? '')) {
    const target = clients.length + Number(argument)
    while (clients.length < target) {
      const batch = Math.min(50, target - clients.length)
      clients.push(...(await Promise.all(Array.from({ length: batch }, () => openOurs(kind, url, pool)))))
    }
    return reading()
  }
  if (name === 'close') {
    const closing = clients.splice(0)
    for (const client of closing) client.close(1000)
    await Promise.all(closing.map((client) => client.closed))
    pool?.close()
    return { closed: closing.length }
  }
  return { error: `unknown command ${command}` }
})
// The warm-up, on a pool that is then closed: the measured WebSockets open a session of their
// own. Reading stdin (above) keeps the process alive while the unreferenced session closes.
const warmPool = kind === 'h2' ? new H2SessionPool() : undefined
const warm = await openOurs(kind, url, warmPool)
const warmSession = warm.transport.info?.session as
  | { once(event: 'close', listener: () => void): void }
  | undefined
warm.close(1000)
await warm.closed
if (warmPool && warmSession) {
  const gone = new Promise<void>((resolve) => warmSession.once('close', resolve))
  warmPool.close()
  await gone
}

process.stdout.write(`${JSON.stringify({ kind })}\n`)
