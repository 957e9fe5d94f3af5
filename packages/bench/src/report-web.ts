/** The WHATWG client tables and their section of docs/benchmarks.md (report.ts includes it). */
import { createRequire } from 'node:module'
import type { ClientMemoryRow } from './client-memory.ts'
import { ECHO_CONFIG, ECHO_FULL } from './echo.ts'
import { SMOKE } from './harness.ts'
import type { WebEchoRow } from './web-echo.ts'

const number = (value: number): string =>
  value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3)
const percent = (fraction: number): string => `${(fraction * 100).toFixed(1)}%`
const payloadSize = (bytes: number): string => (bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`)
const kib = (value: number): string => `${(value / 1024).toFixed(1)} KiB`
const met = (ok: boolean): string => (ok ? 'yes' : '**no**')

/** An installed package's version, for the report. */
export function versionOf(name: string): string {
  try {
    return (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

const CLIENT_NAMES: Record<WebEchoRow['client'] | WebEchoRow['against'], () => string> = {
  web: () => 'our `WebSocket`',
  stream: () => 'our `WebSocketStream`',
  undici: () => `undici ${versionOf('undici')} \`WebSocket\``,
  ws: () => `ws ${versionOf('ws')} client`,
}

export function webEchoTable(rows: readonly WebEchoRow[]): string {
  const lines = [
    '| client | against | server | payload | connections | client messages/s | against messages/s | ratio client/against | spread client / against | target | met |',
    '| --- | --- | --- | --- | --: | --: | --: | --: | --: | --: | --- |',
  ]
  for (const row of rows) {
    lines.push(
      `| ${CLIENT_NAMES[row.client]()} | ${CLIENT_NAMES[row.against]()} | ${row.server === 'ws' ? "ws's" : 'ours'} | ${payloadSize(row.payloadBytes)} | ${row.connections} | ${number(row.ours.medianOpsPerSecond)} | ${number(row.peer.medianOpsPerSecond)} | ${row.ratio.toFixed(2)} | ${percent(row.ours.spread)} / ${percent(row.peer.spread)} | >= ${row.target.toFixed(1)} | ${met(row.ratio >= row.target)} |`,
    )
  }
  return lines.join('\n')
}

export function clientMemoryTable(rows: readonly ClientMemoryRow[]): string {
  const lines = [
    '| clients | `WebSocket` RSS/client | `Connection` RSS/client | RSS ratio | `WebSocket` heap/client | `Connection` heap/client | heap ratio | `WebSocket` external/client | `Connection` external/client | target | met |',
    '| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- |',
  ]
  for (const row of rows) {
    lines.push(
      `| ${row.connections.toLocaleString('en-US')} | ${kib(row.web.rss)} | ${kib(row.connection.rss)} | ${row.rssRatio.toFixed(2)} | ${kib(row.web.heapUsed)} | ${kib(row.connection.heapUsed)} | ${row.heapRatio.toFixed(2)} | ${kib(row.web.external)} | ${kib(row.connection.external)} | <= ${row.target.toFixed(1)} | ${met(row.rssRatio <= row.target && row.heapRatio <= row.target)} |`,
    )
  }
  return lines.join('\n')
}

const readings = (rows: readonly ClientMemoryRow[]): string => {
  const count = rows[0]?.web.rssSamples.length ?? 0
  return count === 1 ? 'One reading' : `${count} readings`
}

/** The markdown section: both tables and how they were measured. */
export function webSection(
  webEcho: readonly WebEchoRow[],
  clientMemory: readonly ClientMemoryRow[],
  quick: boolean,
): string {
  const rounds = quick ? SMOKE : ECHO_FULL
  return `## WHATWG clients: \`WebSocket\` and \`WebSocketStream\` echo over 127.0.0.1, no compression

${webEchoTable(webEcho)}

Our \`WebSocket\` and \`WebSocketStream\` (\`@ws/node\`), undici's \`WebSocket\` and ws's client,
against two echo servers in a child process each (the loopback echo's servers), first ws's, then
ours; both clients of a row talk to the same server. ws's server costs about 10 us of CPU per
small echo and writes each echo on its own, so at 64 B it sets the pace for every client and the
ratios sit near 1; ours costs 3-6 us and answers what one read brought in one write, so against
it the clients' own costs show. The same binary messages, ${ECHO_CONFIG.window} messages in flight per connection, rounds of ${rounds.roundMs} ms, ${rounds.rounds} per side after a
warm-up, alternating, and the same checks (two windows per connection byte for byte before
timing, then type and length). Each row compares two clients in the same rounds; our
\`WebSocket\` is measured once per row it appears in. The \`WebSocket\`s use \`binaryType =
'arraybuffer'\`, so each binary message arrives as a new \`ArrayBuffer\` (a copy, as the Standard
says); the \`WebSocketStream\` reads its \`readable\` with a reader (a \`Uint8Array\` per binary
message) and writes through a writer without awaiting each write (the window bounds what is in
flight). permessage-deflate is off on every client: ours with \`{ perMessageDeflate: false }\`;
undici always offers it (it has no option to turn it off, and it never compresses what it
sends), and the server declines it; every client checks that no extension was agreed. Targets:
our \`WebSocket\` at least 1.5x undici and at least 1.0x ws's client; our \`WebSocketStream\` within
20% of our \`WebSocket\` (at least 0.8x).

### Memory per open idle client: our \`WebSocket\` against our \`Connection\`

${clientMemoryTable(clientMemory)}

Each kind of client runs in a fresh child process with \`--expose-gc\`, which opens and closes one
client first, is read (after two collections) before its clients open and again once
${clientMemory[0]?.connections.toLocaleString('en-US') ?? 'N'} of them are open and idle, all connected to the ws echo server (plain) in another
child; the difference is divided by the number of clients. \`WebSocket\`: \`new WebSocket(url,
{ perMessageDeflate: false })\`, \`binaryType = 'arraybuffer'\`, one \`message\` listener;
\`Connection\`: \`@ws/node-tcp\`'s \`connect(url, { perMessageDeflate: false })\`, one \`binary\`
listener. The harness holds nothing else on an idle client (its \`open\` and \`error\` listeners
go once it is open; the \`close\` listener is added when it closes). ${readings(clientMemory)} per kind, in alternating order, median reported. Target: the
\`WebSocket\` at most 1.2x the \`Connection\`, in RSS and in heap.`
}
