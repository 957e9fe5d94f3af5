/**
 * A child process running one fan-out server: `fanout-server.ts ours|ws`. It listens on
 * 127.0.0.1 (ephemeral port, permessage-deflate off) and prints `{"port": N}`; then each stdin
 * line `send COUNT SIZE` sends COUNT text messages of SIZE bytes to every connected client, the
 * way each stack's users do it: ours with `server.broadcast(text)` (encoded once for all), ws with
 * `wss.clients.forEach((client) => client.send(text))`. It answers `{"clients": N}` once the
 * sends are queued. `clients` answers the number of open connections.
 */
import { createRequire } from 'node:module'
import { WebSocketServer as OurServer } from '@ws/node-tcp'
import { serveCommands } from './child.ts'

interface WsClient {
  send(data: string): void
}
interface WsServer {
  clients: Set<WsClient>
  on(event: 'listening', listener: () => void): void
  address(): { port: number }
}

const implementation = process.argv[2]
if (implementation !== 'ours' && implementation !== 'ws') throw new Error('usage: ours|ws')

let port: number
let clientCount: () => number
let send: (text: string) => void
if (implementation === 'ours') {
  const server = new OurServer({ perMessageDeflate: false })
  port = (await server.listen(0)).port
  clientCount = () => server.connections.size
  send = (text) => {
    server.broadcast(text)
  }
} else {
  const { WebSocketServer } = createRequire(import.meta.url)('ws') as {
    WebSocketServer: new (options: object) => WsServer
  }
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false })
  await new Promise<void>((resolve) => server.on('listening', resolve))
  port = server.address().port
  clientCount = () => server.clients.size
  send = (text) => {
    for (const client of server.clients) client.send(text)
  }
}

serveCommands((command) => {
  const [verb, count, size] = command.split(' ')
  if (verb === 'clients') return { clients: clientCount() }
  if (verb !== 'send') return { error: `unknown command ${command}` }
  // Distinct messages, so that no stack can cache one string's encoding between sends.
  for (let index = 0; index < Number(count); index++) {
    send(`${String(index).padStart(8, '0')}${'x'.repeat(Number(size) - 8)}`)
  }
  return { clients: clientCount() }
})
process.stdout.write(`${JSON.stringify({ port })}\n`)
