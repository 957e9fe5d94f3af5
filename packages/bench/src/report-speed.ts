/**
 * The tables of small-message echo, fan-out, client memory against ws's client and memory at
 * scale, and their section of docs/benchmarks.md (report.ts includes it).
 */
import type { ClientWsMemoryRow } from './client-memory-ws.ts'
import { ECHO_FULL } from './echo.ts'
import { FANOUT_TARGET, type FanoutRow } from './fanout.ts'
import { SMOKE } from './harness.ts'
import { versionOf } from './report-web.ts'
import type { ScaleRow } from './scale.ts'
import type { SmallEchoRow, SmallEchoServer } from './small-echo.ts'

const number = (value: number): string =>
  value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3)
const percent = (fraction: number): string => `${(fraction * 100).toFixed(1)}%`
const payloadSize = (bytes: number): string => (bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`)
const kib = (value: number): string => `${(value / 1024).toFixed(1)} KiB`
const count = (value: number): string => value.toLocaleString('en-US')
const met = (ok: boolean): string => (ok ? 'yes' : '**no**')
/** A memory ratio means something only when both readings grew (RSS moves by pages, so a small run can read 0 or less). */
const usable = (ratio: number): boolean => Number.isFinite(ratio) && ratio > 0
const memoryRatio = (ratio: number): string => (usable(ratio) ? ratio.toFixed(2) : 'n/a')
const memoryMet = (ratios: readonly number[], target: number): string =>
  ratios.every(usable) ? met(ratios.every((ratio) => ratio <= target)) : 'n/a'

const SERVER_NAMES: Record<SmallEchoServer, () => string> = {
  ws: () => `ws ${versionOf('ws')} \`WebSocketServer\``,
  listeners: () => 'ours, listeners',
  iterator: () => 'ours, async iterator',
  wsx: () => '`wsx serve --no-deflate`',
}

export function smallEchoTable(rows: readonly SmallEchoRow[]): string {
  const lines = [
    '| server | against | payload | connections | server messages/s | against messages/s | ratio server/against | spread server / against | target | met |',
    '| --- | --- | --- | --: | --: | --: | --: | --: | --: | --- |',
  ]
  for (const row of rows) {
    lines.push(
      `| ${SERVER_NAMES[row.server]()} | ${SERVER_NAMES[row.against]()} | ${payloadSize(row.payloadBytes)} | ${row.connections} | ${number(row.ours.medianOpsPerSecond)} | ${number(row.peer.medianOpsPerSecond)} | ${row.ratio.toFixed(2)} | ${percent(row.ours.spread)} / ${percent(row.peer.spread)} | >= ${row.target.toFixed(2)} | ${met(row.ratio >= row.target)} |`,
    )
  }
  return lines.join('\n')
}

export function fanoutTable(rows: readonly FanoutRow[]): string {
  const lines = [
    '| clients | message | messages per round | ours messages/s | ws messages/s | ratio ours/ws | spread ours / ws | target | met |',
    '| --: | --- | --: | --: | --: | --: | --: | --: | --- |',
  ]
  for (const row of rows) {
    lines.push(
      `| ${count(row.clients)} | text, ${payloadSize(row.size)} | ${row.count} | ${number(row.ours.medianOpsPerSecond)} | ${number(row.peer.medianOpsPerSecond)} | ${row.ratio.toFixed(2)} | ${percent(row.ours.spread)} / ${percent(row.peer.spread)} | >= ${FANOUT_TARGET.toFixed(1)} | ${met(row.ratio >= FANOUT_TARGET)} |`,
    )
  }
  return lines.join('\n')
}

export function clientWsMemoryTable(rows: readonly ClientWsMemoryRow[]): string {
  const lines = [
    '| clients | ours RSS/client | ws RSS/client | RSS ours/ws | ours heap/client | ws heap/client | heap ours/ws | ours external/client | ws external/client | target | met |',
    '| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- |',
  ]
  for (const row of rows) {
    lines.push(
      `| ${count(row.connections)} | ${kib(row.ours.rss)} | ${kib(row.peer.rss)} | ${memoryRatio(row.rssRatio)} | ${kib(row.ours.heapUsed)} | ${kib(row.peer.heapUsed)} | ${memoryRatio(row.heapRatio)} | ${kib(row.ours.external)} | ${kib(row.peer.external)} | <= ${row.target.toFixed(1)} | ${memoryMet([row.rssRatio, row.heapRatio], row.target)} |`,
    )
  }
  return lines.join('\n')
}

/** The scale row's memory target: at most ws's, as for the 2,000-connection row. */
export const SCALE_MEMORY_TARGET = 1

const connectionsCell = (row: ScaleRow): string =>
  row.connections === row.requested
    ? count(row.connections)
    : `${count(row.connections)} (${count(row.requested)} asked; the servers' open-file limit is ${row.fileLimit === undefined ? 'lower' : count(row.fileLimit)})`

export function scaleTable(rows: readonly ScaleRow[]): string {
  const lines = [
    '| connections | client processes | ours RSS/conn | ws RSS/conn | RSS ours/ws | ours heap/conn | ws heap/conn | heap ours/ws | time to open, ours / ws | target | met |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- |',
  ]
  for (const row of rows) {
    lines.push(
      `| ${connectionsCell(row)} | ${row.clientProcesses} | ${kib(row.ours.rss)} | ${kib(row.peer.rss)} | ${memoryRatio(row.rssRatio)} | ${kib(row.ours.heapUsed)} | ${kib(row.peer.heapUsed)} | ${memoryRatio(row.heapRatio)} | ${(row.ours.openMs / 1000).toFixed(1)} s / ${(row.peer.openMs / 1000).toFixed(1)} s | <= ${SCALE_MEMORY_TARGET.toFixed(1)} | ${memoryMet([row.rssRatio, row.heapRatio], SCALE_MEMORY_TARGET)} |`,
    )
  }
  return lines.join('\n')
}

export interface SpeedResults {
  smallEcho?: readonly SmallEchoRow[]
  fanout?: readonly FanoutRow[]
  clientWsMemory?: readonly ClientWsMemoryRow[]
  scale?: readonly ScaleRow[]
}

/** The markdown section: the four tables (empty when not run) and how they were measured. */
export function speedSection(results: SpeedResults, quick: boolean): string {
  const { smallEcho = [], fanout = [], clientWsMemory = [], scale = [] } = results
  const rounds = quick ? SMOKE : ECHO_FULL
  const readings = clientWsMemory[0]?.ours.rssSamples.length ?? 0
  const first = smallEcho[0]
  const fan = fanout[0]
  const big = scale[0]
  return `## Small-message echo, fan-out, and memory against ws's client and at scale

### Small-message echo: our server with listeners and with the async iterator, and \`wsx serve\`

${smallEchoTable(smallEcho)}

Four servers, each in a child process and each loaded by its own set of the same bare clients
from this process (\`raw-echo.ts\`: after a checked handshake, each message is one masked frame
built once and sent in a write of its own, as ws's client and browsers send them, and echoes are
parsed with a few byte reads). ws's client cost about 10 us of CPU per echo, as much as the
servers, so with it both servers ran at its pace (about 1.03x at 1 connection); the bare client
costs 6-9 us. The servers: ws's \`WebSocketServer\`, ours taking events through listeners
(\`connection.on('text' | 'binary')\`, the loopback echo's server), ours taking them through
\`for await (const event of connection)\`, and \`wsx serve --no-deflate --port 0\` (the built command,
whose echo takes events through the iterator and waits on \`drained()\` when a send returns false).
Binary messages of ${first === undefined ? 'N' : payloadSize(first.payloadBytes)}, ${first?.window ?? 'N'} in flight per connection, permessage-deflate off. Before timing, every
connection echoes two windows of distinct messages checked byte for byte; then the four servers
run in rotating order, rounds of ${rounds.roundMs} ms, ${rounds.rounds} per server after a warm-up round each, and each row is the
ratio of two servers' medians over the same rounds. Targets: ours at least 1.2x ws's server in
both modes, the iterator at most 5% slower than listeners (at least 0.95x), \`wsx serve\` at least
1.2x ws's server.

### Fan-out: one text message to ${fan === undefined ? 'N' : count(fan.clients)} clients

${fanoutTable(fanout)}

Our server's \`broadcast(text)\` (encoded once for every connection) against ws's
\`wss.clients.forEach((client) => client.send(text))\`, each server in a child process, the same raw
clients in this process (the opening handshake, then they only count the bytes they receive). A
round asks the server for ${fan?.count ?? 'N'} distinct messages and ends when every client has every byte of them
(a check round per server first: each client must receive exactly the frames' bytes, ${fan === undefined ? 'N' : count(fan.checkedBytes)}
bytes here); messages per second count every message at every client. Rounds of ${rounds.roundMs} ms, ${rounds.rounds} per
side after a warm-up, alternating. Target: at least ${FANOUT_TARGET}x ws.

### Memory per open idle client: our \`Connection\` against ws's client

${clientWsMemoryTable(clientWsMemory)}

Our plain \`Connection\` (\`@ws/node-tcp\`'s \`connect(url, { perMessageDeflate: false })\`, one
\`binary\` listener) against ws's client \`WebSocket\` (\`perMessageDeflate: false\`, one \`message\`
listener), both connected to the plain ws echo server in a child process. Each kind runs in a
fresh child process with \`--expose-gc\`, which opens and closes one client first, is read (after
two collections) before its clients open and once ${clientWsMemory[0] === undefined ? 'N' : count(clientWsMemory[0].connections)} of them are open and idle; the
difference is divided by the number of clients. ${readings === 1 ? 'One reading' : `${readings} readings`} per kind, in alternating order,
median reported. Target (the server memory target, applied to the client): at most ws's, in RSS
and in heap.

### Memory per idle connection at scale

${scaleTable(scale)}

${big === undefined ? 'N' : count(big.requested)} idle plain connections asked for, to ours and to ws's server (the memory scenario's
servers, each in a fresh child process with \`--expose-gc\`), one server after the other. The
clients are raw: a TCP socket that does the opening handshake (checking the 101 and its
\`Sec-WebSocket-Accept\`) and then stays idle, spread over ${big?.clientProcesses ?? 'N'} child processes, because one process
may hold only so many open files. A server needs a descriptor per connection besides the few it
holds already, so when its open-file limit leaves less than the count asked for, both servers
get the count that fits, and the first column says so. Each server is read before any client
connects and once it counts every connection open; the difference is divided by the number of
connections. One reading per server. Target: at most ws's, in RSS and in heap.`
}
