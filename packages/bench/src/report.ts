/** Formats benchmark results as text for the terminal and as docs/benchmarks.md. */
import { createRequire } from 'node:module'
import { cpus, totalmem } from 'node:os'
import type { WsAddon } from './addon.ts'
import type { BuildRow } from './building.ts'
import type { ClientMemoryRow } from './client-memory.ts'
import type { DeflateRow } from './deflate.ts'
import { DEFLATE_ECHO_CONFIG, type DeflateEchoRow } from './deflate-echo.ts'
import { ECHO_CONFIG, ECHO_FULL, type EchoRow } from './echo.ts'
import type { FrameRow } from './frames.ts'
import type { H2EchoRow } from './h2-echo.ts'
import type { H2MemoryRow } from './h2-memory.ts'
import type { H2Profile } from './h2-profile.ts'
import { type Comparison, QUICK } from './harness.ts'
import type { MemoryRow } from './memory.ts'
import { h2Section } from './report-h2.ts'
import { type SpeedResults, speedSection } from './report-speed.ts'
import { webSection } from './report-web.ts'
import type { Sha1Row } from './sha1.ts'
import type { TextRow } from './text.ts'
import type { WebEchoRow } from './web-echo.ts'

export interface Environment {
  cpu: string
  cores: number
  memoryGiB: number
  node: string
  date: string
}

export function currentEnvironment(): Environment {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
  }
}

const number = (value: number): string =>
  value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3)
const size = (bytes: number): string => (bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : `${bytes} B`)
const megabytes = (opsPerSecond: number, bytes: number): string => number((opsPerSecond * bytes) / 1e6)
const percent = (fraction: number): string => `${(fraction * 100).toFixed(1)}%`

export function sha1Table(rows: readonly Sha1Row[]): string {
  const lines = [
    '| input | ours MB/s | node:crypto MB/s | ours ops/s | node:crypto ops/s | ratio ours/peer | spread ours / peer |',
    '| --- | --: | --: | --: | --: | --: | --: |',
  ]
  for (const row of rows) {
    lines.push(
      `| ${size(row.size)} | ${megabytes(row.ours.medianOpsPerSecond, row.size)} | ${megabytes(row.peer.medianOpsPerSecond, row.size)} | ${number(row.ours.medianOpsPerSecond)} | ${number(row.peer.medianOpsPerSecond)} | ${row.ratio.toFixed(2)} | ${percent(row.ours.spread)} / ${percent(row.peer.spread)} |`,
    )
  }
  return lines.join('\n')
}

const payloadSize = (bytes: number): string =>
  bytes >= 1 << 20 ? `${bytes / (1 << 20)} MiB` : bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`

/** A row measured with ws loaded with or without bufferutil (unknown: not recorded). */
export type WithAddon<T> = T & { wsAddon?: WsAddon }

const addon = (row: { wsAddon?: WsAddon }): string => row.wsAddon ?? 'unknown'
const ratioAndSpread = (row: Comparison): string =>
  `${row.ratio.toFixed(2)} | ${percent(row.ours.spread)} / ${percent(row.peer.spread)}`

export function frameTable(rows: readonly WithAddon<FrameRow>[]): string {
  const lines = [
    '| payload | ws add-on | ours frames/s | ws frames/s | ours MB/s | ws MB/s | ratio ours/ws | spread ours / ws |',
    '| --- | --- | --: | --: | --: | --: | --: | --: |',
  ]
  for (const row of rows) {
    const oursFrames = row.ours.medianOpsPerSecond * row.framesPerOp
    const peerFrames = row.peer.medianOpsPerSecond * row.framesPerOp
    lines.push(
      `| ${payloadSize(row.payloadBytes)} | ${addon(row)} | ${number(oursFrames)} | ${number(peerFrames)} | ${megabytes(oursFrames, row.payloadBytes)} | ${megabytes(peerFrames, row.payloadBytes)} | ${ratioAndSpread(row)} |`,
    )
  }
  return lines.join('\n')
}

export function buildTable(rows: readonly WithAddon<BuildRow>[]): string {
  const lines = [
    '| payload | ws path | ws add-on | ours frames/s | ws frames/s | ours MB/s | ws MB/s | ratio ours/ws | spread ours / ws |',
    '| --- | --- | --- | --: | --: | --: | --: | --: | --: |',
  ]
  for (const row of rows) {
    const ours = row.ours.medianOpsPerSecond
    const peer = row.peer.medianOpsPerSecond
    lines.push(
      `| ${payloadSize(row.payloadBytes)} | \`${row.wsPath}\` | ${addon(row)} | ${number(ours)} | ${number(peer)} | ${megabytes(ours, row.payloadBytes)} | ${megabytes(peer, row.payloadBytes)} | ${ratioAndSpread(row)} |`,
    )
  }
  return lines.join('\n')
}

export function textTable(rows: readonly WithAddon<TextRow>[]): string {
  const lines = [
    '| message | ws add-on | ours messages/s | ws messages/s | ours MB/s | ws MB/s | ratio ours/ws | spread ours / ws |',
    '| --- | --- | --: | --: | --: | --: | --: | --: |',
  ]
  for (const row of rows) {
    const ours = row.ours.medianOpsPerSecond * row.messagesPerOp
    const peer = row.peer.medianOpsPerSecond * row.messagesPerOp
    lines.push(
      `| ${payloadSize(row.messageBytes)} | ${addon(row)} | ${number(ours)} | ${number(peer)} | ${megabytes(ours, row.messageBytes)} | ${megabytes(peer, row.messageBytes)} | ${ratioAndSpread(row)} |`,
    )
  }
  return lines.join('\n')
}

export function echoTable(rows: readonly EchoRow[]): string {
  const lines = [
    '| compared | same for both | payload | connections | ours messages/s | ws messages/s | ratio ours/ws | spread ours / ws |',
    '| --- | --- | --- | --: | --: | --: | --: | --: |',
  ]
  for (const row of rows) {
    lines.push(
      `| ${row.compared} | ws ${row.compared === 'server' ? 'clients' : 'server'} | ${payloadSize(row.payloadBytes)} | ${row.connections} | ${number(row.ours.medianOpsPerSecond)} | ${number(row.peer.medianOpsPerSecond)} | ${ratioAndSpread(row)} |`,
    )
  }
  return lines.join('\n')
}

const bytes = (value: number): string => Math.round(value).toLocaleString('en-US')

export function deflateEchoTable(rows: readonly DeflateEchoRow[]): string {
  const lines = [
    '| messages | ours messages/s | ws messages/s | ratio ours/ws | spread ours / ws | text bytes (one way) | wire bytes ours (up + down) | wire bytes ws (up + down) | size ours/ws |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: |',
  ]
  for (const row of rows) {
    lines.push(
      `| ${row.messages} JSON of ~${payloadSize(row.approxBytes)} (avg ${Math.round(row.payloadBytes / row.messages)} B) | ${number(row.ours.medianOpsPerSecond)} | ${number(row.peer.medianOpsPerSecond)} | ${ratioAndSpread(row)} | ${bytes(row.payloadBytes)} | ${bytes(row.oursWire.up)} + ${bytes(row.oursWire.down)} | ${bytes(row.peerWire.up)} + ${bytes(row.peerWire.down)} | ${row.sizeRatio.toFixed(3)} |`,
    )
  }
  return lines.join('\n')
}

const kib = (value: number): string => `${(value / 1024).toFixed(1)} KiB`

export function memoryTable(rows: readonly MemoryRow[]): string {
  const lines = [
    '| mode | connections | ours RSS/conn | ws RSS/conn | RSS ours/ws | ours heap/conn | ws heap/conn | heap ours/ws | ours external/conn | ws external/conn |',
    '| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |',
  ]
  for (const row of rows) {
    lines.push(
      `| ${row.deflate ? 'permessage-deflate, one message each way' : 'plain'} | ${row.connections.toLocaleString('en-US')} | ${kib(row.ours.rss)} | ${kib(row.peer.rss)} | ${row.rssRatio.toFixed(2)} | ${kib(row.ours.heapUsed)} | ${kib(row.peer.heapUsed)} | ${row.heapRatio.toFixed(2)} | ${kib(row.ours.external)} | ${kib(row.peer.external)} |`,
    )
  }
  return lines.join('\n')
}

export function deflateTable(rows: readonly DeflateRow[]): string {
  const lines = [
    '| corpus | direction | ours MB/s | node:zlib MB/s | ratio ours/peer | spread ours / peer | compressed size ours / zlib |',
    '| --- | --- | --: | --: | --: | --: | --: |',
  ]
  for (const row of rows) {
    lines.push(
      `| ${row.corpus} ${size(row.size)} | ${row.direction} | ${megabytes(row.ours.medianOpsPerSecond, row.size)} | ${megabytes(row.peer.medianOpsPerSecond, row.size)} | ${row.ratio.toFixed(2)} | ${percent(row.ours.spread)} / ${percent(row.peer.spread)} | ${row.oursCompressed.toLocaleString('en-US')} / ${row.zlibCompressed.toLocaleString('en-US')} = ${(row.oursCompressed / row.zlibCompressed).toFixed(3)} |`,
    )
  }
  return lines.join('\n')
}

export interface Results {
  sha1: readonly Sha1Row[]
  frames: readonly WithAddon<FrameRow>[]
  deflate: readonly DeflateRow[]
  building?: readonly WithAddon<BuildRow>[]
  text?: readonly WithAddon<TextRow>[]
  echo?: readonly EchoRow[]
  deflateEcho?: readonly DeflateEchoRow[]
  memory?: readonly MemoryRow[]
  webEcho?: readonly WebEchoRow[]
  clientMemory?: readonly ClientMemoryRow[]
  h2Memory?: readonly H2MemoryRow[]
  h2Echo?: readonly H2EchoRow[]
  h2Profile?: H2Profile
  /** Small-message echo, fan-out, client memory against ws and memory at scale (report-speed.ts). */
  speed?: SpeedResults
}

export function markdownReport(environment: Environment, results: Results, quick: boolean): string {
  const {
    sha1,
    frames,
    deflate,
    building = [],
    text = [],
    echo = [],
    deflateEcho = [],
    memory = [],
    webEcho = [],
    clientMemory = [],
    h2Memory = [],
    h2Echo = [],
    h2Profile,
    speed = {},
  } = results
  return `# Benchmarks

Generated by \`pnpm bench\`${quick ? ' **--quick: a smoke run, these numbers mean nothing**' : ''}. Do not edit by hand.

- Machine: ${environment.cpu}, ${environment.cores} cores, ${environment.memoryGiB} GiB
- Node: ${environment.node}
- Date: ${environment.date}

## Method

Every timed scenario runs ours and the peer alternately in the same run: one warm-up round per
side, then ${quick ? 2 : 7} measured rounds of ${quick ? '20 ms (5 ms for frame building and text)' : '300 ms'} per side, alternating which side goes first
(the network scenarios use their own round length, given in their sections, with each server in
a child process; memory is read in child processes too).
Each side reads the clock once per batch of operations, not per operation. Before timing, the
scenario checks that both sides produce identical output. Reported: the median over rounds,
the ratio median(ours) / median(peer) (above 1 means ours is faster), and the spread
(max - min) / median over the rounds for each side. MB/s counts 10^6 bytes of input.

## SHA-1 (@ws/crypto vs node:crypto)

${sha1Table(sha1)}

Report only: node:crypto is OpenSSL's native code, which can use the CPU's SHA instructions.
A WebSocket handshake hashes about 60 bytes once, so the 64 B row is the one that matters: there
the fixed cost of a call dominates, and our pure-TypeScript hash avoids node:crypto's per-call
overhead of creating a native hash object.

Targets: frame building and text decoding at least 1.5x ws, loopback echo at least 1.2x,
permessage-deflate echo at least 10x ws's messages/s with wire bytes within 5%, memory per
connection no more than ws's plain and at most half of ws's with permessage-deflate.

## Frame parsing, server role (@ws/proto vs ws ${wsVersion()} Receiver)

${frameTable(frames)}

Each operation feeds about 256 KiB of masked binary frames of one payload size, cut into 64 KiB
chunks as a socket would deliver them, and takes every message event. Both parsers unmask in
place and deliver each message as a view when a frame lies within one chunk. MB/s counts
payload bytes. "ws add-on" says whether ws had its native bufferutil add-on (C++ masking) for
that row; rows without it ran in a child process started with \`WS_NO_BUFFER_UTIL=1\`, ours
measured again beside it there.

## Frame building and masking, client role (@ws/proto vs ws ${wsVersion()} \`Sender.frame\`)

${buildTable(building)}

One binary message per operation: ours \`sendBinary\` then \`takeOutgoing\` on a client
\`WebSocketConnection\`; ws \`Sender.frame(data, { fin: true, opcode: 2, mask: true, rsv1: false,
readOnly })\`, what \`WebSocket#send\` calls. \`readOnly: true\` is the path \`ws.send(buffer)\`
takes with a caller's Buffer: a fresh frame buffer, the caller's bytes untouched, as ours always
does; it is the like-for-like row. \`readOnly: false\` (bytes ws owns, such as an encoded string)
masks the payload in place and allocates only the header. Both sides draw masking keys from an
8 KiB pool of random bytes. Before timing, each side's frame is unmasked and compared with the
payload. MB/s counts payload bytes.

## Text messages, server role: parse, validate UTF-8, decode (@ws/proto vs ws ${wsVersion()} Receiver + \`toString()\`)

${textTable(text)}

About 256 KiB of masked text frames per operation, one message per frame, of mixed ASCII and
multi-byte text (Latin accents, Greek, Cyrillic, CJK, emoji; the size is the UTF-8 byte
length), cut into 64 KiB chunks. Ours delivers \`text\` events whose data is a string; ws's
Receiver validates and emits 'message' with a Buffer and the listener calls \`toString()\`, as
its users do. Both unmask in place, so every operation first copies the masked stream back into
the working buffers (the same memcpy on both sides, included in both timings). Before timing,
both must decode every message to the original string, twice.

## Loopback echo over 127.0.0.1, no compression

${echoTable(echo)}

Binary messages; each connection keeps ${ECHO_CONFIG.window} messages in flight and sends the next one as each
echo arrives. "server": our server against ws's WebSocketServer, both driven by the same ws
clients; "client": our client against ws's client, both against the same ws server. Each server
runs in a child process of its own and the clients (the load generator) in the benchmark
process, so on this machine each gets about a core. Rounds of ${quick ? QUICK.roundMs : ECHO_FULL.roundMs} ms, ${quick ? QUICK.rounds : ECHO_FULL.rounds} per side after
a warm-up, alternating; a round ends when its time is up and the messages in flight are back.
Before timing, two windows of distinct messages per connection are checked byte for byte; timed
echoes are checked by type and length.

## permessage-deflate echo, JSON, context takeover, 1 connection

${deflateEchoTable(deflateEcho)}

Our client and server against ws's client and server (each server in its own child process),
${DEFLATE_ECHO_CONFIG.window} messages in flight, distinct deterministic JSON events (chat lines, presence, orders,
metrics; the ~2 KiB ones are batches of events) sent as text. Every message is compressed on
both sides: \`threshold: 0\` on all four ends (both default to 1 KiB). Otherwise each stack's
defaults: context takeover, level 6; ours: the server compresses with 14-bit windows and memLevel
4 and lets the client use 13 bits (\`client_max_window_bits=13\`), its client memLevel 8; ws: 15
bits both ways, memLevel 8.
Wire bytes: a fresh connection per side echoes the same messages once, checked exactly, and the
TCP socket's byte counts (frame headers and masks included, handshake excluded) are reported;
below 1 means ours sent fewer bytes.

## Memory per open idle connection

${memoryTable(memory)}

Each server runs in a fresh child process with \`--expose-gc\`, read (after two collections)
before any client connects and once ${memory[0]?.connections.toLocaleString('en-US') ?? 'N'} ws clients from another process are open and
idle; the difference is divided by the number of connections. With permessage-deflate (threshold
0, context takeover, each stack's default windows), each client first sends one ~200 B JSON
message and gets it back, so each server connection holds an inflater and a compressor. ${quick ? 'One reading' : 'Three readings'}
per server and mode, in alternating order, median reported. RSS counts what the process holds
from the OS (including freed memory not yet returned); heap is V8's used heap; external is memory
held outside the heap (Buffers, zlib's native state).

${webSection(webEcho, clientMemory, quick)}

${h2Section(h2Memory, h2Echo, h2Profile, quick)}

${speedSection(speed, quick)}

## Raw DEFLATE (@ws/deflate vs node:zlib)

${deflateTable(deflate)}

Both sides at level 6 and windowBits 15, one-shot calls (\`inflateRaw\` / \`deflateRaw\` against
\`inflateRawSync\` / \`deflateRawSync\`) on deterministic corpora: English-like text from a word list
and a JSON array of varied objects. Inflate decodes the same zlib-made stream on both sides and
checks that the outputs are identical; deflate outputs differ, so the scenario checks that both
decompress to the input, and the last column compares the compressed sizes (below 1 means ours is
smaller). MB/s counts uncompressed bytes. node:zlib is native C (Chromium's zlib fork, which uses
SIMD for hashing and CRCs); ours is pure TypeScript.

${PROFILES}
`
}

/**
 * The targets the tables above do not meet (as of the run recorded on 2026-11-25): what
 * \`node --cpu-prof\` and heap snapshots showed, what was changed because of them, and what would
 * close the rest. Static text: the tables above are the numbers of each run.
 */
const PROFILES = `## Where the targets are not met: what the profiles show

Targets: frame parsing at least 2x ws at 1 KiB and below and at least 1x ws-with-bufferutil at
64 KiB and above; frame building at least 1.5x; text at least 1.5x; loopback echo at least 1.2x;
permessage-deflate echo at least 10x with wire bytes within 5%; memory per idle connection at
most ws's plain and at most half of ws's with deflate; inflate and deflate at least 0.5x zlib
with a ratio within 5%. Met in this table: parsing at 16 B, and at every size against ws without
bufferutil; building at 1 KiB and above without bufferutil; text at both sizes, with and
without bufferutil (32 B against bufferutil was about 1.45 before the change described below);
wire bytes (1.02-1.05); deflate memory (about 0.48); inflate; deflate on text and every
compressed size; permessage-deflate echo at 200 B (about 10x, with wide spreads). The rest,
with the profile behind each:

- **Frame parsing at 1 KiB against ws with bufferutil (1.2-1.4, target 2x).** Profile of
  1 KiB frames in 64 KiB chunks: \`applyMask\` 59%, the frame parser 13%, the payload views 7%.
  Every frame lies within one chunk, so nothing is copied: the gap is the unmasking speed alone
  (next item).
- **Frame parsing of 64 KiB and 1 MiB frames against ws with bufferutil (0.51-0.57).** Profile
  of 64 KiB frames in 64 KiB chunks: \`applyMask\` 48%, joining the two pieces of each frame
  (\`MessageBuffer.finish\`: a new zeroed buffer and a copy) 20%, and 16% zero-filling a 64 KiB
  block for the few bytes of each frame's tail, which is fixed (blocks for small pieces are now
  sized by the bytes copied, not the message: 6%). At 1 MiB the join is 56% (a fresh 1 MiB
  buffer per message, page faults included) and unmasking 28%. Our 32-bit XOR loop runs at
  5-7 GB/s on its own; bufferutil's C++ loop is about twice that, and ws joins with
  \`Buffer.allocUnsafe\` (no zero fill), which a runtime-neutral core cannot use. What would close
  it: unmask while copying into the joined buffer (one pass instead of two), and WebAssembly
  SIMD for the XOR (a separate, optional module, since the core is plain TypeScript).
- **Frame building against ws with bufferutil (0.09-0.84), and 16 B and 125 B without it (0.7-0.8,
  1.4).** At 16 B half the time is the per-frame path itself (a slab view, the header, the
  random key from the pool, the array \`takeOutgoing\` returns), against ws's one \`Buffer\` for
  header and payload. At 125 B \`applyMask\` is 34%: a new \`Uint32Array\` view per frame; a fused
  byte loop was tried at that size and was slower (2.2 M against 3.7 M frames/s). At 64 KiB and
  up ws with bufferutil masks in C++ (\`readOnly: false\` even in place, with no copy). What would
  close it: return one buffer per message instead of an array, mask through a cached word view
  of the slab, and SIMD for large payloads (as above).
- **Text, 32 B messages against ws with bufferutil (about 1.45 before this change).** Profile:
  \`TextDecoder.decode\` 33% (its JS wrapper and the native call, once per message), unmasking
  20%, the frame parser 13%. A 32-byte payload took the word-wise unmasking path, which
  creates a \`Uint32Array\` view per call; the byte loop now handles payloads under 64 bytes
  (about 10% more 32 B messages per second in isolation). What would close the rest: decoding
  short ASCII messages without the native call (a string built from the bytes when no byte is
  over 0x7f, which the validator already knows).
- **Loopback echo (servers and clients 0.9-1.2).** Profile of our server under 50 ws
  clients: 43% \`writeBuffer\` (the write syscall) and 40% idle, our JS under 10%: the server
  is bound by syscalls and by the load generator. Found and fixed: every send from a listener
  was its own write; the pump now corks the socket while it delivers a batch of events, so the
  replies to one read leave in one \`writev\` (a quick loopback test went from 1.09x to 1.25x
  ws's server; the runs of this table after the change measured servers at 0.91-1.19, with
  spreads up to 40%). The clients run in the process that generates the load, with ws's server
  in a child, so the same syscall bound applies. What would close it: fewer, larger writes still
  (coalescing across reads with a microtask flush) and larger reads; the gap left is within the
  spread of these rows.
- **permessage-deflate echo (10.05x and 10.79x at 200 B in the last two runs, with spreads up to 66%; 2.8-2.9x at 2 KiB; target 10x).** Both sides compress and inflate every message in
  the process that owns the socket; the time is our DEFLATE (below: 0.46-0.65 of zlib's
  speed), against ws's per-message round trip through zlib's thread pool. Found and fixed: after
  the pump began corking its replies, two of our ends echoing each other took turns (each
  answered a whole read in one write and then sat idle while the other worked: both processes
  about 50% idle in the profile), and this row fell from 9.0x to 5.3-5.9x in three runs; the
  corked batch is now four events, which restored the overlap (25 k -> 36-52 k messages/s in a
  two-process test). The default windows were enlarged to bring the wire bytes within 5%
  (14-bit server compressor, 13-bit client windows, memLevel 4, chosen from measurements:
  12-bit windows gave 1.13 and 1.08 of ws's bytes), which costs about 10% of compression speed
  in isolation. What would close the rest: a faster deflater (last item) and a cheaper path for
  small messages (reusing Huffman tables between messages instead of a dynamic block each).
- **Memory per idle plain connection (RSS 1.9-2.0x, heap 1.8x ws).** A heap snapshot of a server
  with 2,000 connections, per connection: the pump (\`Connection\`, its promise, queue and six
  listener closures, about 1.5 KB), the core and its receiver (six sink closures, two small typed
  arrays, the message buffer: about 1.5 KB) and about 1 KB of array backing stores. Found and
  fixed: each connection kept its whole handshake alive (parser, header strings, timer,
  closures) through the closure that untracks it: heap 8.5 -> 5.2 KiB, RSS 24.4 -> 16.1 KiB.
  What would close the rest: one object for the core's receiver callbacks instead of closures,
  one typed array for the header scratch and mask key, lazily created queues and promise, and
  listeners on the socket through one bound handler object.
- **Deflate on JSON (0.46 of zlib).** Profile: the lazy matcher 67-73% (hash-chain walk and
  match compare), filling the window 8-13%. Comparing four bytes at a time in the match loop was
  tried and changed nothing (33.7 -> 33.9 MB/s), so the cost is the number of chain candidates
  visited, where Chromium's zlib uses a SIMD CRC hash. What would close it: zlib-ng style
  matching (a better hash and fewer candidates per position) for levels up to 6.
`

/** The installed ws version, for the report. */
function wsVersion(): string {
  try {
    return (createRequire(import.meta.url)('ws/package.json') as { version: string }).version
  } catch {
    return 'unknown'
  }
}
