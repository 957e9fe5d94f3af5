/**
 * `pnpm bench [--quick] [--out FILE]`: runs every benchmark, prints the tables and writes
 * docs/benchmarks.md (or FILE). `--quick` is a smoke run; it writes a file only when --out is given.
 */
import { writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { withoutAddon, wsAddon } from './addon.ts'
import { benchBuilding } from './building.ts'
import { benchClientMemory } from './client-memory.ts'
import { benchClientWsMemory } from './client-memory-ws.ts'
import { benchDeflate } from './deflate.ts'
import { benchDeflateEcho, DEFLATE_ECHO_CONFIG, DEFLATE_ECHO_QUICK } from './deflate-echo.ts'
import { benchEcho, ECHO_CONFIG, ECHO_FULL, ECHO_QUICK } from './echo.ts'
import { benchFanout, FANOUT_CONFIG, FANOUT_QUICK } from './fanout.ts'
import { benchFrames } from './frames.ts'
import { benchH2Echo } from './h2-echo.ts'
import { benchH2Memory, H2_MEMORY_FULL, H2_MEMORY_QUICK } from './h2-memory.ts'
import { H2_PROFILE_FULL, H2_PROFILE_QUICK, profileH2Server } from './h2-profile.ts'
import { FULL, QUICK, SMOKE } from './harness.ts'
import { benchMemory, MEMORY_FULL, MEMORY_QUICK } from './memory.ts'
import {
  buildTable,
  currentEnvironment,
  deflateEchoTable,
  deflateTable,
  echoTable,
  frameTable,
  markdownReport,
  memoryTable,
  sha1Table,
  textTable,
  type WithAddon,
} from './report.ts'
import { h2EchoTable, h2MemoryTable, h2ProfileSummary, h2ProfileTable } from './report-h2.ts'
import { clientWsMemoryTable, fanoutTable, scaleTable, smallEchoTable } from './report-speed.ts'
import { clientMemoryTable, webEchoTable } from './report-web.ts'
import { benchScale, SCALE_FULL, SCALE_QUICK } from './scale.ts'
import { benchSha1 } from './sha1.ts'
import { benchSmallEcho, SMALL_ECHO_CONFIG, SMALL_ECHO_QUICK } from './small-echo.ts'
import { benchText } from './text.ts'
import { benchWebEcho } from './web-echo.ts'

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const outIndex = args.indexOf('--out')
const out = outIndex >= 0 ? args[outIndex + 1] : undefined
if (outIndex >= 0 && !out) {
  console.error('usage: pnpm bench [--quick] [--out FILE]')
  process.exit(2)
}

const options = quick ? QUICK : FULL
// The scenarios added after the first three use shorter smoke rounds, and the network ones longer full rounds.
const later = quick ? SMOKE : FULL
const network = quick ? SMOKE : ECHO_FULL
const addon = wsAddon()
if (addon === 'none') console.log('ws runs without bufferutil here (not installed): no "with add-on" rows')

/** This process's rows (ws as loaded here), then the same scenario's rows with ws without bufferutil. */
function bothAddons<T>(rows: T[], without: T[] | undefined): WithAddon<T>[] {
  const tagged: WithAddon<T>[] = rows.map((row) => ({ ...row, wsAddon: addon }))
  for (const row of without ?? []) tagged.push({ ...row, wsAddon: 'none' })
  return tagged
}

console.log(`SHA-1, @ws/crypto vs node:crypto (${quick ? 'quick smoke run' : 'full run'})`)
const sha1 = benchSha1(options)
console.log(sha1Table(sha1))
const frameRows = benchFrames(options)
const buildingRows = benchBuilding(later)
const textRows = benchText(later)
// The same three again in a child process whose ws runs without bufferutil.
const without = await withoutAddon(options, {}, later)
console.log('\nFrame parsing, server role: @ws/proto vs ws Receiver')
const frames = bothAddons(frameRows, without?.frames)
console.log(frameTable(frames))
console.log('\nFrame building and masking, client role: @ws/proto vs ws Sender.frame')
const building = bothAddons(buildingRows, without?.building)
console.log(buildTable(building))
console.log('\nText messages, server role: @ws/proto vs ws Receiver + toString()')
const text = bothAddons(textRows, without?.text)
console.log(textTable(text))
console.log(`\nRaw DEFLATE, @ws/deflate vs node:zlib, level 6, windowBits 15`)
const deflate = benchDeflate(options)
console.log(deflateTable(deflate))
console.log('\nLoopback echo, no compression: servers and clients in separate processes')
const echo = await benchEcho(network, quick ? ECHO_QUICK : ECHO_CONFIG)
console.log(echoTable(echo))
console.log('\npermessage-deflate echo, JSON, context takeover, every message compressed')
const deflateEcho = await benchDeflateEcho(network, quick ? DEFLATE_ECHO_QUICK : DEFLATE_ECHO_CONFIG)
console.log(deflateEchoTable(deflateEcho))
console.log('\nMemory per open idle connection, each server in its own child process')
const memory = await benchMemory(quick ? MEMORY_QUICK : MEMORY_FULL)
console.log(memoryTable(memory))
console.log(
  '\nWHATWG clients echo: our WebSocket against undici and ws, our WebSocketStream against our WebSocket',
)
const webEcho = await benchWebEcho(network, quick ? ECHO_QUICK : ECHO_CONFIG)
console.log(webEchoTable(webEcho))
console.log(
  '\nMemory per open idle client: our WebSocket against our Connection, each in its own child process',
)
const clientMemory = [await benchClientMemory(quick ? MEMORY_QUICK : MEMORY_FULL)]
console.log(clientMemoryTable(clientMemory))
console.log(
  '\nMemory per idle WebSocket: ours over one HTTP/2 session against ours over TCP, client and server',
)
const h2Memory = [await benchH2Memory(quick ? H2_MEMORY_QUICK : H2_MEMORY_FULL)]
console.log(h2MemoryTable(h2Memory))
console.log(
  '\nEcho over HTTP/2 (one session) against echo over HTTP/1.1 (a TCP connection each), ours on both ends',
)
const h2Echo = await benchH2Echo(network, quick ? ECHO_QUICK : ECHO_CONFIG)
console.log(h2EchoTable(h2Echo))
const h2Profile = await profileH2Server(quick ? H2_PROFILE_QUICK : H2_PROFILE_FULL)
console.log(`\nOur server over HTTP/2 under node --cpu-prof, self time: ${h2ProfileSummary(h2Profile)}`)
console.log(h2ProfileTable(h2Profile))

// --- Small-message echo, fan-out, client memory against ws, memory at scale (report-speed.ts) ---
console.log('\nSmall-message echo: ws server against ours (listeners, async iterator) and wsx serve')
const smallEcho = await benchSmallEcho(network, quick ? SMALL_ECHO_QUICK : SMALL_ECHO_CONFIG)
console.log(smallEchoTable(smallEcho))
console.log('\nFan-out: our broadcast() against ws clients.forEach(send), raw clients')
const fanout = [await benchFanout(network, quick ? FANOUT_QUICK : FANOUT_CONFIG)]
console.log(fanoutTable(fanout))
console.log(
  "\nMemory per open idle client: our Connection against ws's client, each in its own child process",
)
const clientWsMemory = [await benchClientWsMemory(quick ? MEMORY_QUICK : MEMORY_FULL)]
console.log(clientWsMemoryTable(clientWsMemory))
console.log('\nMemory per idle connection at scale: raw clients from several child processes')
const scale = [await benchScale(quick ? SCALE_QUICK : SCALE_FULL)]
console.log(scaleTable(scale))
const speed = { smallEcho, fanout, clientWsMemory, scale }
// --- end of the block ---

const target = out ? resolve(out) : quick ? undefined : join(workspaceRoot, 'docs', 'benchmarks.md')
if (target) {
  writeFileSync(
    target,
    markdownReport(
      currentEnvironment(),
      {
        sha1,
        frames,
        deflate,
        building,
        text,
        echo,
        deflateEcho,
        memory,
        webEcho,
        clientMemory,
        h2Memory,
        h2Echo,
        h2Profile,
        speed,
      },
      quick,
    ),
  )
  console.log(`wrote ${target}`)
}
