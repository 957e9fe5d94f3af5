#!/usr/bin/env node
// `pnpm demo`: a wss:// server and a client in one process, on 127.0.0.1, with the test
// certificate shipped in packages/node-tls/test/fixtures (never use it for real traffic). They
// negotiate TLS, a subprotocol and permessage-deflate, exchange text, binary and a large
// compressed message, and close; every step is printed as one line. Exits 0 when all went as
// expected, 1 otherwise. `pnpm demo` builds first; run directly, this script builds if needed.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const built = join(root, 'packages', 'node-tls', 'dist', 'index.js')
if (!existsSync(built)) {
  console.log('demo: building the packages first (pnpm build)')
  const build = spawnSync('pnpm', ['build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  if (build.status !== 0) {
    console.error('demo: pnpm build failed')
    process.exit(1)
  }
}
const { SecureWebSocketServer, connect } = await import(pathToFileURL(built).href)

const fixtures = join(root, 'packages', 'node-tls', 'test', 'fixtures')
const pem = (name) => readFileSync(join(fixtures, name))
const say = (line) => console.log(line)
const show = (text) => (text.length <= 60 ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, 57))}...`)
const hex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')

// Nothing here may take long: a stuck demo fails instead of hanging.
const deadline = setTimeout(() => {
  console.error('demo: FAILED, did not finish within 20 s')
  process.exit(1)
}, 20_000)
deadline.unref()

const server = new SecureWebSocketServer({
  cert: pem('server.pem'),
  key: pem('server-key.pem'),
  handleProtocols: (offered) => (offered.includes('demo.v1') ? 'demo.v1' : undefined),
})
server.on('connection', async (connection, request) => {
  say(
    `server: accepted ${request.resource} over ${connection.socket.getProtocol()}, subprotocol ${connection.protocol}`,
  )
  for await (const event of connection) {
    if (event.type === 'text') {
      say(`server: received text, ${event.data.length} characters, echoing it`)
      connection.sendText(event.data)
    } else if (event.type === 'binary') {
      say(`server: received binary, ${event.data.length} bytes, echoing it`)
      connection.sendBinary(event.data)
    } else if (event.type === 'close') {
      say(`server: the client closes with ${event.code} ${JSON.stringify(event.reason)}; answering`)
    }
  }
})
const { port } = await server.listen(0, '127.0.0.1')
const url = `wss://localhost:${port}/demo`
say(
  `server: listening on wss://127.0.0.1:${port} with ${relative(root, join(fixtures, 'server.pem'))} (test only)`,
)

say(`client: connecting to ${url}, trusting ${relative(root, join(fixtures, 'ca.pem'))}`)
const client = await connect(url, { ca: pem('ca.pem'), protocols: ['demo.v1', 'demo.v0'] })
const tls = client.socket
say(
  `client: TLS ${tls.getProtocol()}, cipher ${tls.getCipher().name}, server certificate CN=${tls.getPeerCertificate().subject.CN} verified`,
)
say(`client: subprotocol ${client.protocol}`)
say(`client: extension ${client.extensions || '(none)'}`)

const events = client[Symbol.asyncIterator]()
/** The next text or binary message the client receives. */
async function nextMessage() {
  for (;;) {
    const { value, done } = await events.next()
    if (done || value.type === 'closed') throw new Error('the connection ended early')
    if (value.type === 'text' || value.type === 'binary') return value
  }
}
let failed = false
function check(ok, what) {
  if (!ok) {
    failed = true
    say(`client: MISMATCH: ${what}`)
  }
}

const text = 'Hello over wss://, with permessage-deflate'
say(`client: sending text ${show(text)}`)
client.sendText(text)
const echoedText = await nextMessage()
say(`client: received text ${show(echoedText.data)}`)
check(echoedText.type === 'text' && echoedText.data === text, 'the text came back different')

const binary = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0xff])
say(`client: sending binary ${hex(binary)}`)
client.sendBinary(binary)
const echoedBinary = await nextMessage()
say(`client: received binary ${hex(echoedBinary.data)}`)
check(
  echoedBinary.type === 'binary' && hex(echoedBinary.data) === hex(binary),
  'the binary came back different',
)

const records = []
for (let i = 0, length = 0; length < 1024 * 1024; i++) {
  records.push(JSON.stringify({ id: i, name: `user ${i % 97}`, active: i % 3 === 0, tags: ['ws', 'demo'] }))
  length += records[i].length + 1
}
const large = `[${records.join(',')}]`
const before = tls.bytesWritten
client.sendText(large)
await client.drained()
const onTheWire = tls.bytesWritten - before
say(
  `client: sent a large JSON text: ${large.length} bytes, ${onTheWire} bytes on the wire after compression and TLS (${(large.length / onTheWire).toFixed(1)}x smaller)`,
)
check(onTheWire < large.length / 4, 'the large message was not compressed')
const echoedLarge = await nextMessage()
say(
  `client: received the large text back: ${echoedLarge.data.length} bytes, ${echoedLarge.data === large ? 'identical' : 'DIFFERENT'}`,
)
check(echoedLarge.type === 'text' && echoedLarge.data === large, 'the large text came back different')

say('client: closing with 1000 "demo done"')
client.close(1000, 'demo done')
const closed = await client.closed
say(`client: closed: the server answered ${closed.code}, clean: ${closed.wasClean}`)
check(closed.code === 1000 && closed.wasClean, 'the close was not clean')
await server.close()
say('server: stopped')
say(failed ? 'demo: FAILED' : 'demo: done')
process.exitCode = failed ? 1 : 0
