/** The HTTP/2 tables and their section of docs/benchmarks.md (report.ts includes it). */
import { ECHO_CONFIG, ECHO_FULL } from './echo.ts'
import type { H2EchoRow } from './h2-echo.ts'
import type { H2MemoryRow } from './h2-memory.ts'
import type { H2Profile } from './h2-profile.ts'
import { SMOKE } from './harness.ts'

const number = (value: number): string =>
  value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3)
const percent = (fraction: number): string => `${(fraction * 100).toFixed(1)}%`
const payloadSize = (bytes: number): string => (bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`)
const kib = (value: number): string => `${(value / 1024).toFixed(1)} KiB`
/** A ratio of two readings; a reading of 0 (RSS moves by pages) makes it meaningless. */
const ratio = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : 'n/a')

export function h2MemoryTable(rows: readonly H2MemoryRow[]): string {
  const lines = [
    '| process | WebSockets | HTTP/2 RSS/WebSocket | TCP RSS/WebSocket | RSS h2/TCP | HTTP/2 heap/WebSocket | TCP heap/WebSocket | heap h2/TCP | HTTP/2 external/WebSocket | TCP external/WebSocket |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
  ]
  for (const row of rows) {
    for (const side of ['client', 'server'] as const) {
      const [rss, heap] =
        side === 'client'
          ? [row.clientRssRatio, row.clientHeapRatio]
          : [row.serverRssRatio, row.serverHeapRatio]
      lines.push(
        `| ${side} | ${row.connections.toLocaleString('en-US')} | ${kib(row.h2[side].rss)} | ${kib(row.tcp[side].rss)} | ${ratio(rss)} | ${kib(row.h2[side].heapUsed)} | ${kib(row.tcp[side].heapUsed)} | ${ratio(heap)} | ${kib(row.h2[side].external)} | ${kib(row.tcp[side].external)} |`,
      )
    }
  }
  return lines.join('\n')
}

export function h2EchoTable(rows: readonly H2EchoRow[]): string {
  const lines = [
    '| payload | WebSockets | HTTP/2 messages/s | HTTP/1.1 messages/s | ratio h2/HTTP/1.1 | spread h2 / HTTP/1.1 |',
    '| --- | --: | --: | --: | --: | --: |',
  ]
  for (const row of rows) {
    lines.push(
      `| ${payloadSize(row.payloadBytes)} | ${row.connections} | ${number(row.ours.medianOpsPerSecond)} | ${number(row.peer.medianOpsPerSecond)} | ${row.ratio.toFixed(2)} | ${percent(row.ours.spread)} / ${percent(row.peer.spread)} |`,
    )
  }
  return lines.join('\n')
}

const OWNERS: Record<H2Profile['top'][number]['owner'], string> = {
  ours: 'ours',
  node: 'Node',
  other: 'V8 / native',
}

export function h2ProfileTable(profile: H2Profile): string {
  const lines = ['| function | where | code | self time |', '| --- | --- | --- | --: |']
  for (const entry of profile.top) {
    const where = entry.location === '' ? '' : `\`${entry.location}\``
    lines.push(`| \`${entry.name}\` | ${where} | ${OWNERS[entry.owner]} | ${percent(entry.self)} |`)
  }
  return lines.join('\n')
}

/** One line: where the server's time went, by owner. */
export function h2ProfileSummary(profile: H2Profile): string {
  const { shares } = profile
  return `${profile.samples.toLocaleString('en-US')} samples while ${profile.messages.toLocaleString('en-US')} messages of ${payloadSize(profile.payloadBytes)} were echoed on ${profile.connections} streams: idle ${percent(shares.idle)}, our packages ${percent(shares.ours)}, Node's JavaScript ${percent(shares.node)}, V8 and native code outside any JavaScript function ${percent(shares.other)} (\`(program)\`, native calls such as \`writev\`), garbage collection ${percent(shares.gc)}.`
}

/** The markdown section: both tables, the profile, and how they were measured. */
export function h2Section(
  memory: readonly H2MemoryRow[],
  echo: readonly H2EchoRow[],
  profile: H2Profile | undefined,
  quick: boolean,
): string {
  const rounds = quick ? SMOKE : ECHO_FULL
  const readings = memory[0]?.h2.client.rssSamples.length ?? 0
  return `## WebSockets over HTTP/2 (RFC 8441) against over TCP

### Memory per idle WebSocket: ${memory[0]?.connections.toLocaleString('en-US') ?? 'N'} on one HTTP/2 connection against as many TCP connections

${h2MemoryTable(memory)}

Our WebSockets on both ends, permessage-deflate off. HTTP/2: \`@ws/node-h2\`'s \`connect(url, {
requireHttp2: true })\` over h2c (prior knowledge), every WebSocket a stream of ONE session, to our
\`H2WebSocketServer\`; TCP: \`@ws/node-tcp\`'s \`connect()\`, one TCP connection each, to our HTTP/1.1
server (\`@ws/node-tcp\`'s \`WebSocketServer\`, the loopback echo's). Both servers run in one child
process, the clients in another, both fresh for each reading and run with \`--expose-gc\`; the
client child opens and closes one WebSocket first (over HTTP/2 on a session it then closes). Each
process is read (after two collections) before the clients open and once all of them are open and
idle; the difference is divided by the number of WebSockets, so over HTTP/2 it includes the one
session's share. Before reading, the client must see every WebSocket open, the server must hold
all of them, and over HTTP/2 both must count one session, which every stream belongs to.
${readings === 1 ? 'One reading' : `${readings} readings`} per transport, in alternating order, median reported.

### Echo over HTTP/2 against echo over HTTP/1.1

${h2EchoTable(echo)}

Our client against our server (the same server child), binary messages, ${ECHO_CONFIG.window} in flight per
WebSocket, rounds of ${rounds.roundMs} ms, ${rounds.rounds} per side after a warm-up, alternating, with the loopback echo's
checks (two windows per WebSocket byte for byte before timing, then type and length). HTTP/2: N
streams of one h2c session (the server must count one session and N WebSockets before timing);
HTTP/1.1: N TCP connections. Node's HTTP/2 defaults on both ends: 64 KiB flow-control windows
(per stream and per connection) and 16 KiB DATA frames.

${profile === undefined ? '' : h2ProfileText(profile)}`
}

function h2ProfileText(profile: H2Profile): string {
  return `### Where the server's time goes over HTTP/2 (\`node --cpu-prof\`)

${h2ProfileTable(profile)}

Self time of the server child under \`node --cpu-prof\`, counting only the samples taken while
${profile.connections} of our WebSockets on one session echoed ${payloadSize(profile.payloadBytes)} messages for ${profile.ms} ms: ${h2ProfileSummary(profile)}

${H2_PROFILE_NOTES}`
}

/** What the profiles showed when this scenario was added (static text: the tables above are each run's). */
const H2_PROFILE_NOTES = `What the profile showed when this scenario was added (2026-12-07, 64 B on 50 streams, on a
2-core machine loaded by other work, so all shares are rough): the server was idle about 55% of
the time, so at 64 B the load generator (all the clients, in the benchmark process) sets the pace,
not the server. Of the rest, our code was about 13% (unmasking \`maskWords\` about 3%, frame
building and parsing, the driver's delivery: about 1% each), Node's JavaScript about 12% (the
Writable stream path of each \`Http2Stream\` write: \`_uint8ArrayToBuffer\`, \`FastBuffer\`,
\`writevGeneric\`), V8 and native code outside JavaScript functions about 13% (\`(program)\`,
where node:http2's nghttp2 framing in C++ runs, and the socket's \`writev\`), and garbage
collection about 7%. No single function of ours stands out.

Two things set HTTP/2 apart at 16 KiB. A message is two DATA frames (16 KiB is the default
maximum frame size), and flow control allows 65,535 bytes in flight per stream and, unless an end
enlarges it, per session: RFC 9113's initial window, which Node keeps for the session
(nodejs/node#38426) and neither of our ends changes. So 50 WebSockets share about four 16 KiB
messages' worth of window on one session, against 16 messages each over TCP. Larger windows are
not a fix with node:http2: a session does not read its socket while a write to it is in progress
(nodejs/node#29399), so once more is in flight both ways than the kernel's socket buffers hold,
both ends are writing and neither reads. With 16 MiB session windows and 1 MiB stream windows
on both ends, 50 WebSockets each keeping 16 messages of 16 KiB in flight stalled every time
(the client had written 13 MB and read 616 bytes; the server had read 5 MB and was blocked
writing its echoes); with either window left at its default, the same load ran. Node's 64 KiB
session window is what keeps a session safe, so our ends keep it. The
ratios of the runs behind this text, with spreads of 40-90% on the loaded machine, ranged from
0.44 to 0.80 at 16 KiB and from 0.61 to 1.65 at 64 B: read the table above from a quiet run.`
