/**
 * A child process holding raw idle clients (raw-clients.ts) for the scale scenario:
 * `scale-clients.ts PORT`. It prints `{"ready": true}`; then each stdin line is a command:
 * `open N` opens N more clients to ws://127.0.0.1:PORT/ and answers `{"open": total}` (or
 * `{"error": ...}` when a handshake failed), `close` resets them all and answers `{"closed": N}`.
 * It exits when stdin ends. One process holds at most what its open-file limit allows.
 */
import { serveCommands } from './child.ts'
import { openRawClients, type RawClient } from './raw-clients.ts'

const port = process.argv[2]
if (!/^\d+$/.test(port ?? '')) throw new Error('usage: scale-clients.ts PORT')
const clients: RawClient[] = []

serveCommands(async (command) => {
  const [name, argument] = command.split(' ')
  if (name === 'open' && /^\d+$/.test(argument ?? '')) {
    try {
      clients.push(...(await openRawClients(Number(port), Number(argument))))
    } catch (error) {
      return { error: (error as Error).message, open: clients.length }
    }
    return { open: clients.length }
  }
  if (name === 'close') {
    const closed = clients.length
    for (const client of clients.splice(0)) client.reset()
    return { closed }
  }
  return { error: `unknown command ${command}` }
})
process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
