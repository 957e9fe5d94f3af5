/**
 * Hostile input over real sockets: each test runs our server (or our client) on 127.0.0.1 with
 * a raw node:net peer writing hand-built bytes, checks what comes back on the wire, and then
 * checks that the server still serves a normal client. The CVE or advisory each class comes
 * from is in the suite's name; docs/security.md lists the limits.
 */
import { once } from 'node:events'
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net'
import { constants, createDeflateRaw } from 'node:zlib'
import { ServerHandshake } from '@ws/proto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ConnectError, type Connection, connect, WebSocketServer } from '../src/index.ts'
import { deadline, echo, echoServer, rawSocket, readUntil } from './helpers.ts'
import {
  acceptFor,
  answerTo,
  assertHealthy,
  BINARY,
  CLOSE,
  CONTINUATION,
  clientFrame,
  PING,
  PONG,
  peakGrowth,
  rawWebSocket,
  retained,
  socketClosed,
  TEXT,
  tick,
  upgradeRequest,
} from './robustness-helpers.ts'

/** Rejection of a promise, which must reject. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

const MiB = 1024 * 1024

// ---------------------------------------------------------------------------------------------
const heads = suite('1. header floods (ws CVE-2024-37890, tungstenite CVE-2023-43669)')

heads('2,000 header fields get 431 at the 101st; the server keeps serving', async () => {
  const { server, port } = await echoServer()
  try {
    const fields = Array.from({ length: 2000 }, (_, i) => `X-Flood-${i}: ${i}`)
    const answer = await answerTo(port, upgradeRequest(fields))
    assert.match(answer, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/)
    assert.match(answer, /\r\nConnection: close/i)
    assert.is(server.connections.size, 0)
    await assertHealthy(port)
  } finally {
    await server.close()
  }
})

heads('a single 1 MB header line gets 431; the server keeps serving', async () => {
  const { server, port } = await echoServer()
  try {
    const answer = await answerTo(port, upgradeRequest([`X-Huge: ${'a'.repeat(MiB)}`]))
    assert.match(answer, /^HTTP\/1\.1 431 /)
    await assertHealthy(port)
  } finally {
    await server.close()
  }
})

heads(
  'a 64 KiB header line in 1-byte writes: every byte is parsed once, refused in the chunk that crosses 8192',
  async () => {
    const wss = new WebSocketServer()
    wss.on('connection', echo)
    const net = createNetServer()
    let serverSocket: Socket | undefined
    net.on('connection', (socket) => {
      serverSocket = socket
    })
    wss.attach(net)
    net.listen(0, '127.0.0.1')
    await once(net, 'listening')
    const { port } = net.address() as AddressInfo
    // Count what the adapter hands the handshake parser, checking at every call that it is
    // exactly what the socket has read: no byte is fed twice (no re-concatenated buffer).
    const original = ServerHandshake.prototype.receive
    const calls = { count: 0, fed: 0, mismatches: 0, rejectedBefore: -1, rejectedAfter: -1 }
    ServerHandshake.prototype.receive = function (this: ServerHandshake, chunk: Uint8Array) {
      calls.count++
      const before = calls.fed
      calls.fed += chunk.length
      if (serverSocket?.bytesRead !== calls.fed) calls.mismatches++
      const result = original.call(this, chunk)
      if (result.kind === 'rejected') {
        calls.rejectedBefore = before
        calls.rejectedAfter = calls.fed
      }
      return result
    }
    try {
      const peer = await rawSocket(port)
      peer.setNoDelay(true)
      peer.on('error', () => {})
      let answer = ''
      peer.on('data', (chunk: Buffer) => {
        answer += chunk.toString('latin1')
      })
      const prefix = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'
      const line = `X-Slow: ${'a'.repeat(64 * 1024)}`
      peer.write(prefix)
      let written = prefix.length
      const writing = (async () => {
        for (let i = 0; i < line.length && answer === '' && !peer.destroyed; i++) {
          peer.write(line[i] as string)
          written++
          await tick()
        }
      })()
      await deadline(writing, 30_000, 'writing 64 KiB one byte at a time')
      await readUntil(peer, /\r\n\r\n/).catch(() => undefined)
      assert.match(answer, /^HTTP\/1\.1 431 /)
      // The first refused byte is the 8193rd of the header line.
      const firstOver = prefix.length + 8193
      assert.ok(
        calls.rejectedBefore < firstOver && firstOver <= calls.rejectedAfter,
        `refused in the chunk ${calls.rejectedBefore}..${calls.rejectedAfter}, the limit is crossed at ${firstOver}`,
      )
      assert.is(calls.mismatches, 0, 'each byte read was handed to the parser exactly once')
      assert.is(calls.fed, calls.rejectedAfter, 'nothing was parsed after the refusal')
      assert.ok(calls.count > 100, `the head came in many pieces (${calls.count})`)
      assert.ok(written < 64 * 1024, `the peer was answered long before the end (${written} bytes sent)`)
      peer.destroy()
    } finally {
      ServerHandshake.prototype.receive = original
    }
    try {
      await assertHealthy(port)
    } finally {
      await wss.close()
    }
  },
)

// ---------------------------------------------------------------------------------------------
const values = suite('2. pathological header values (ws CVE-2021-32640, faye CVE-2020-7662)')

values('protocol lists with 10,000 spaces or commas, extensions with unclosed \\x runs', async () => {
  // Raised head limits, so the values reach the list parsers instead of the 431 check.
  const { server, port } = await echoServer({
    handshakeLimits: { maxLineBytes: 4 * MiB, maxHeadBytes: 8 * MiB },
    handleProtocols: (offered) => offered.find((p) => p === 'superchat'),
  })
  try {
    const spaces = ' '.repeat(10_000)
    const commas = ','.repeat(10_000)
    const answers = {
      spacedList: await answerTo(port, upgradeRequest([`Sec-WebSocket-Protocol: chat,${spaces}superchat`])),
      spacedToken: await answerTo(port, upgradeRequest([`Sec-WebSocket-Protocol: chat${spaces}superchat`])),
      commasOnly: await answerTo(port, upgradeRequest([`Sec-WebSocket-Protocol: ${commas}`])),
      commasThenToken: await answerTo(
        port,
        upgradeRequest([`Sec-WebSocket-Protocol: ${', '.repeat(10_000)}superchat${spaces}`]),
      ),
      unclosedQuote: await answerTo(
        port,
        upgradeRequest([`Sec-WebSocket-Extensions: permessage-deflate; x="${'\\x'.repeat(100_000)}`]),
      ),
      closedQuote: await answerTo(
        port,
        upgradeRequest([`Sec-WebSocket-Extensions: x-unknown; x="${'\\x'.repeat(100_000)}"`]),
      ),
    }
    assert.match(answers.spacedList, /^HTTP\/1\.1 101 /)
    assert.match(answers.spacedList, /\r\nSec-WebSocket-Protocol: superchat(\r\n|$)/)
    assert.match(answers.spacedToken, /^HTTP\/1\.1 400 /)
    assert.match(answers.commasOnly, /^HTTP\/1\.1 400 /)
    assert.match(answers.commasThenToken, /^HTTP\/1\.1 101 /)
    assert.match(answers.commasThenToken, /\r\nSec-WebSocket-Protocol: superchat(\r\n|$)/)
    assert.match(answers.unclosedQuote, /^HTTP\/1\.1 400 /)
    assert.match(answers.closedQuote, /^HTTP\/1\.1 101 /)
    assert.not.match(answers.closedQuote, /Sec-WebSocket-Extensions/i)
    await assertHealthy(port)
  } finally {
    await server.close()
  }
  // With the default limits the same padding is refused as too large.
  const defaults = await echoServer()
  try {
    const answer = await answerTo(
      defaults.port,
      upgradeRequest([`Sec-WebSocket-Protocol: chat,${' '.repeat(10_000)}superchat`]),
    )
    assert.match(answer, /^HTTP\/1\.1 431 /)
    await assertHealthy(defaults.port)
  } finally {
    await defaults.server.close()
  }
})

// ---------------------------------------------------------------------------------------------
const proto = suite('3. names like Object.prototype keys (ws GHSA-5v72-xg48-5rpm class)')

proto('__proto__, constructor, toString, hasOwnProperty as parameters or extensions', async () => {
  const { server, port } = await echoServer()
  try {
    const offer = (value: string) => answerTo(port, upgradeRequest([`Sec-WebSocket-Extensions: ${value}`]))
    const params = await offer('permessage-deflate; __proto__; constructor=1; toString')
    assert.match(params, /^HTTP\/1\.1 101 /)
    assert.not.match(params, /Sec-WebSocket-Extensions/i, 'the offer with unknown parameters is declined')
    const names = await offer('constructor, hasOwnProperty; __proto__="x", __proto__')
    assert.match(names, /^HTTP\/1\.1 101 /)
    assert.not.match(names, /Sec-WebSocket-Extensions/i, 'unknown extensions are ignored')
    const fallback = await offer(
      'permessage-deflate; __proto__=1, permessage-deflate; valueOf, permessage-deflate',
    )
    assert.match(fallback, /^HTTP\/1\.1 101 /)
    assert.match(
      fallback,
      /\r\nSec-WebSocket-Extensions: permessage-deflate(\r\n|;|$)/,
      'the clean offer wins',
    )
    const protocols = await answerTo(port, upgradeRequest(['Sec-WebSocket-Protocol: __proto__, constructor']))
    assert.match(protocols, /^HTTP\/1\.1 101 /)
    assert.is(Object.hasOwn(Object.prototype, 'polluted'), false)
    await assertHealthy(port)
  } finally {
    await server.close()
  }
})

// ---------------------------------------------------------------------------------------------
const lengths = suite('4. 64-bit lengths (undici CVE-2026-1528)')

lengths('a length with the top bit set gets 1002; a length of 2^32 + 1 gets 1009', async () => {
  const { server, port } = await echoServer()
  try {
    const topBit = await rawWebSocket(port)
    topBit.socket.write(clientFrame(BINARY, new Uint8Array(0), { length: 0x8000_0000_0000_0001n }))
    assert.is(await topBit.reader.closeCode(), 1002)
    await topBit.reader.closed
    const huge = await rawWebSocket(port)
    huge.socket.write(clientFrame(BINARY, new Uint8Array(16), { length: 2n ** 32n + 1n }))
    assert.is(await huge.reader.closeCode(), 1009)
    await huge.reader.closed
    await assertHealthy(port)
  } finally {
    await server.close()
  }
})

// ---------------------------------------------------------------------------------------------
const fragments = suite('5. fragment floods (undici CVE-2026-12151, ws CVE-2026-48779)')

fragments('empty continuations beyond maxFragments get 1008 (configured 100, and the default)', async () => {
  const small = await echoServer({ limits: { maxFragments: 100 } })
  try {
    const peer = await rawWebSocket(small.port)
    const empty = clientFrame(CONTINUATION, new Uint8Array(0), { fin: false })
    peer.socket.write(
      Buffer.concat([
        clientFrame(TEXT, Buffer.from('a'), { fin: false }),
        ...Array.from({ length: 1000 }, () => empty),
      ]),
    )
    assert.is(await peer.reader.closeCode(), 1008)
    const closed = await deadline((small.accepted[0] as Connection).closed)
    assert.is(closed.error?.message, 'message split into more than 100 frames')
    await peer.reader.closed
    await assertHealthy(small.port)
  } finally {
    await small.server.close()
  }
  // The default cap, 131,072 frames per message: 131,073 empty frames (786 KB on the wire).
  const defaults = await echoServer()
  try {
    const peer = await rawWebSocket(defaults.port)
    const empty = clientFrame(CONTINUATION, new Uint8Array(0), { fin: false })
    const { result: code, growth } = await peakGrowth(async () => {
      const batch = Buffer.concat(Array.from({ length: 4096 }, () => empty))
      peer.socket.write(clientFrame(BINARY, Buffer.from('b'), { fin: false }))
      for (let sent = 1; sent < 131_073 + 4096 && !peer.socket.destroyed; sent += 4096) {
        if (!peer.socket.write(batch)) await Promise.race([once(peer.socket, 'drain'), peer.reader.closed])
        if (peer.reader.frames.length > 0) break
      }
      return peer.reader.closeCode(10_000)
    })
    assert.is(code, 1008)
    const closed = await deadline((defaults.accepted[0] as Connection).closed)
    assert.is(closed.error?.message, 'message split into more than 131072 frames')
    assert.ok(growth < 32 * MiB, `memory grew by ${growth} bytes`)
    await peer.reader.closed
    await assertHealthy(defaults.port)
  } finally {
    await defaults.server.close()
  }
})

fragments('1-byte fragments beyond maxMessageSize get 1009, memory bounded', async () => {
  const { server, port } = await echoServer({ limits: { maxMessageSize: 64 * 1024 } })
  try {
    const peer = await rawWebSocket(port)
    const tiny = clientFrame(CONTINUATION, Buffer.from('x'), { fin: false })
    const { result: code, growth } = await peakGrowth(async () => {
      peer.socket.write(clientFrame(BINARY, Buffer.from('x'), { fin: false }))
      peer.socket.write(Buffer.concat(Array.from({ length: 70_000 }, () => tiny)))
      return peer.reader.closeCode()
    })
    assert.is(code, 1009)
    assert.ok(growth < 32 * MiB, `memory grew by ${growth} bytes`)
    await peer.reader.closed
    await assertHealthy(port)
  } finally {
    await server.close()
  }
})

// ---------------------------------------------------------------------------------------------
const bombs = suite('6. decompression bombs (undici CVE-2026-1526, python-websockets CVE-2018-1000518)')

/** `size` zero bytes compressed with node:zlib as one permessage-deflate message (sync flush, tail removed). */
async function zeroBomb(size: number): Promise<Buffer> {
  const deflater = createDeflateRaw({ level: 9 })
  const parts: Buffer[] = []
  deflater.on('data', (chunk: Buffer) => parts.push(chunk))
  const zeros = Buffer.alloc(MiB)
  for (let written = 0; written < size; written += zeros.length) {
    if (!deflater.write(zeros)) await once(deflater, 'drain')
  }
  await new Promise<void>((resolve) => deflater.flush(constants.Z_SYNC_FLUSH, () => resolve()))
  deflater.close()
  const all = Buffer.concat(parts)
  return all.subarray(0, all.length - 4) // RFC 7692 section 7.2.1: drop 00 00 ff ff
}

bombs('256 MiB of zeros in ~250 KB against a 1 MiB limit get 1009, memory far below the bomb', async () => {
  const bomb = await zeroBomb(256 * MiB)
  const { server, port, accepted } = await echoServer({ limits: { maxMessageSize: MiB } })
  try {
    const peer = await rawWebSocket(port, ['Sec-WebSocket-Extensions: permessage-deflate'])
    assert.match(peer.head, /\r\nSec-WebSocket-Extensions: permessage-deflate/)
    const { result: code, growth } = await peakGrowth(async () => {
      peer.socket.write(clientFrame(BINARY, bomb, { rsv1: true }))
      return peer.reader.closeCode(10_000)
    })
    assert.is(code, 1009)
    assert.ok(growth < 32 * MiB, `memory grew by ${growth} bytes for a ${256 * MiB}-byte bomb`)
    const closed = await deadline((accepted[0] as Connection).closed)
    assert.is(closed.code, 1009)
    await peer.reader.closed
    // The default limit (16 MiB) stops a 64 MiB bomb the same way.
    const defaults = await echoServer()
    try {
      const second = await rawWebSocket(defaults.port, ['Sec-WebSocket-Extensions: permessage-deflate'])
      second.socket.write(clientFrame(BINARY, await zeroBomb(64 * MiB), { rsv1: true }))
      assert.is(await second.reader.closeCode(10_000), 1009)
      await second.reader.closed
      await assertHealthy(defaults.port)
    } finally {
      await defaults.server.close()
    }
    await assertHealthy(port)
  } finally {
    await server.close()
  }
})

// ---------------------------------------------------------------------------------------------
const windows = suite('7. window bits (undici CVE-2026-2229)')

windows('bad server_max_window_bits offers are declined: 101 without the extension', async () => {
  const { server, port } = await echoServer()
  try {
    for (const bits of ['7', '16', '08', 'abc', '-1', '1e1', '']) {
      const value = bits === '' ? 'server_max_window_bits=' : `server_max_window_bits=${bits}`
      const answer = await answerTo(
        port,
        upgradeRequest([`Sec-WebSocket-Extensions: permessage-deflate; ${value}`]),
      )
      // An empty value is malformed header syntax (400); the others are declined offers (101).
      if (bits === '') assert.match(answer, /^HTTP\/1\.1 400 /, value)
      else {
        assert.match(answer, /^HTTP\/1\.1 101 /, value)
        assert.not.match(answer, /Sec-WebSocket-Extensions/i, value)
      }
    }
    for (const bits of ['7', '16', '08']) {
      const answer = await answerTo(
        port,
        upgradeRequest([`Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=${bits}`]),
      )
      assert.match(answer, /^HTTP\/1\.1 101 /)
      assert.not.match(answer, /Sec-WebSocket-Extensions/i, `client_max_window_bits=${bits}`)
    }
    await assertHealthy(port)
  } finally {
    await server.close()
  }
})

windows('our client against a server answering window bits 20 or 7: a handshake ConnectError', async () => {
  const answers = [
    'permessage-deflate; server_max_window_bits=20',
    'permessage-deflate; client_max_window_bits=7',
    'permessage-deflate; server_max_window_bits=08',
  ]
  const fake = createNetServer((socket) => {
    socket.on('error', () => {})
    let head = ''
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1')
      if (!head.includes('\r\n\r\n')) return
      const key = /\r\nSec-WebSocket-Key: *([^\r]*)\r\n/i.exec(head)?.[1] ?? ''
      const extension = answers[Number(/\r\nX-Case: *(\d+)/i.exec(head)?.[1])]
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\nSec-WebSocket-Extensions: ${extension}\r\n\r\n`,
      )
      head = ''
    })
  })
  fake.listen(0, '127.0.0.1')
  await once(fake, 'listening')
  const { port } = fake.address() as AddressInfo
  try {
    for (let index = 0; index < answers.length; index++) {
      const error = (await rejection(
        connect(`ws://127.0.0.1:${port}/`, {
          headers: { 'X-Case': String(index) },
          perMessageDeflate: { clientMaxWindowBits: 15 },
          handshakeTimeout: 3000,
        }),
      )) as ConnectError
      assert.instance(error, ConnectError)
      assert.is(error.kind, 'handshake', answers[index])
      assert.is(error.code, 'WS_ERR_EXTENSION_REJECTED')
      const bad = /(\w+_window_bits)=(\w+)/.exec(answers[index] as string) as RegExpExecArray
      assert.ok(
        error.message.includes(`${bad[1]} needs a value from 8 to 15, got "${bad[2]}"`),
        error.message,
      )
    }
  } finally {
    fake.close()
  }
})

// ---------------------------------------------------------------------------------------------
const announced = suite('8. huge announced payload (advisory 120, CVE-2016-10542)')

announced('a header announcing 1 GiB gets 1009 after only the 14 header bytes', async () => {
  const { server, port } = await echoServer()
  try {
    const peer = await rawWebSocket(port)
    const header = clientFrame(BINARY, new Uint8Array(0), { length: 1n << 30n })
    assert.is(header.length, 14)
    const { result: code, growth } = await peakGrowth(async () => {
      peer.socket.write(header)
      return peer.reader.closeCode()
    })
    assert.is(code, 1009)
    assert.is(peer.socket.bytesWritten - upgradeRequest().length, 14, 'no payload byte was sent')
    assert.ok(growth < 16 * MiB, `memory grew by ${growth} bytes`)
    await peer.reader.closed
    await assertHealthy(port)
  } finally {
    await server.close()
  }
})

// ---------------------------------------------------------------------------------------------
const slow = suite('9. a peer that never reads (backpressure)')

slow(
  'pings from a peer that never reads: pongs stop at highWaterMark, the latest is answered later',
  async () => {
    const highWaterMark = 64 * 1024
    const { server, port, accepted } = await echoServer({ highWaterMark, maxBufferedAmount: MiB })
    try {
      const peer = await rawWebSocket(port)
      peer.socket.pause() // never reads: each ping asks for a pong the server cannot deliver
      const connection = accepted[0] as Connection
      const ping = (sequence: number): Buffer => {
        const payload = Buffer.alloc(125, 0x2e)
        payload.write(String(sequence).padStart(10, '0'))
        return clientFrame(PING, payload)
      }
      const batch = Buffer.concat(Array.from({ length: 1000 }, (_, i) => ping(i))) // 131 KB
      const before = retained()
      let maxBuffered = 0
      let sent = 0
      // 16 MiB of pings: without a bound the pongs would hold as much memory on the server.
      for (let i = 0; i < 128 && !peer.socket.destroyed; i++) {
        if (!peer.socket.write(batch)) await deadline(once(peer.socket, 'drain'), 5000, 'the server reading')
        sent += 1000
        maxBuffered = Math.max(maxBuffered, connection.bufferedAmount)
      }
      peer.socket.write(ping(999_999))
      sent++
      await deadline(
        (async () => {
          while (connection.bufferedAmount < highWaterMark || peer.socket.writableLength > 0) await tick()
        })(),
        5000,
        'the server reading every ping',
      )
      const growth = retained() - before
      maxBuffered = Math.max(maxBuffered, connection.bufferedAmount)
      // The peer reads at last: the latest ping is answered.
      peer.socket.resume()
      await peer.reader.until(
        (frames) =>
          frames.some(
            (frame) => frame.opcode === PONG && frame.payload.subarray(0, 10).toString() === '0000999999',
          ),
        10_000,
        'the pong to the last ping',
      )
      assert.ok(
        maxBuffered <= highWaterMark + 64 * 1024,
        `the server buffered at most ${maxBuffered} bytes (highWaterMark ${highWaterMark})`,
      )
      const pongs = peer.reader.frames.filter((frame) => frame.opcode === PONG).length
      assert.ok(pongs < sent, `${pongs} pongs for ${sent} pings: only the latest is answered while backed up`)
      assert.ok(growth < 4 * MiB, `the server kept ${growth} bytes after ${sent * 131} bytes of pings`)
      assert.is(connection.state, 'open')
      // The application's own sends report backpressure: false at highWaterMark, an error beyond the maximum.
      peer.socket.pause()
      const results: boolean[] = []
      assert.throws(
        () => {
          for (let i = 0; i < 10_000; i++) results.push(connection.sendBinary(new Uint8Array(64 * 1024)))
        },
        (error: unknown) => (error as { code?: string }).code === 'WS_ERR_SEND_BUFFER_FULL',
      )
      assert.ok(results.includes(false), 'send returned false at the high-water mark')
      assert.ok(connection.bufferedAmount <= MiB + 64 * 1024 + 16, `${connection.bufferedAmount}`)
      peer.socket.destroy()
      await deadline(connection.closed)
      await assertHealthy(port)
    } finally {
      await server.close()
    }
  },
)

// ---------------------------------------------------------------------------------------------
const slowloris = suite('10. handshakes that never complete (slowloris)')

slowloris('half a request, nothing at all, or a byte at a time: dropped at handshakeTimeout', async () => {
  const { server, port } = await echoServer({ handshakeTimeout: 200 })
  let opened = 0
  server.on('connection', () => opened++)
  try {
    const half = await rawSocket(port)
    half.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    const silent = await rawSocket(port)
    const drip = await rawSocket(port)
    const request = upgradeRequest()
    let index = 0
    const dripper = setInterval(() => {
      if (!drip.destroyed && index < request.length) drip.write(request[index++] as string)
    }, 20)
    try {
      await Promise.all([
        socketClosed(half, 3000, 'half a request dropped'),
        socketClosed(silent, 3000, 'a silent socket dropped'),
        socketClosed(drip, 3000, 'a dripping request dropped'),
      ])
    } finally {
      clearInterval(dripper)
    }
    assert.ok(index < request.length, 'the dripping request was cut off before it was complete')
    assert.is(opened, 0)
    await assertHealthy(port)
  } finally {
    await server.close()
  }
})

// ---------------------------------------------------------------------------------------------
const unanswered = suite('11. closes that are never answered')

unanswered(
  'the server closes; a silent peer, and one that keeps sending, are cut off at closeTimeout',
  async () => {
    const { server, port, accepted } = await echoServer({ closeTimeout: 200 })
    try {
      const silent = await rawWebSocket(port)
      const chatty = await rawWebSocket(port)
      const [silentServer, chattyServer] = accepted as [Connection, Connection]
      silentServer.close(1000, 'bye')
      chattyServer.close(4000, 'bye')
      assert.is(await silent.reader.closeCode(), 1000)
      assert.is(await chatty.reader.closeCode(), 4000)
      const sender = setInterval(() => {
        if (!chatty.socket.destroyed) chatty.socket.write(clientFrame(TEXT, Buffer.from('ignoring you')))
      }, 10)
      try {
        await Promise.all([
          socketClosed(silent.socket, 3000, 'the silent peer cut off'),
          socketClosed(chatty.socket, 3000, 'the chatty peer cut off'),
        ])
      } finally {
        clearInterval(sender)
      }
      const [a, b] = await deadline(Promise.all([silentServer.closed, chattyServer.closed]))
      assert.equal([a.code, a.wasClean, b.code, b.wasClean], [1006, false, 1006, false])
      assert.ok(
        chatty.reader.frames.every((frame) => frame.opcode === CLOSE),
        'no echo after the close was sent',
      )
      await assertHealthy(port)
    } finally {
      await server.close()
    }
  },
)

// ---------------------------------------------------------------------------------------------
const misuse = suite('12. argument misuse (ws CVE-2016-10518, CVE-2026-45736)')

misuse('send(number), ping(number), close(1000, Uint16Array): TypeError, nothing on the wire', async () => {
  const { server, port, accepted } = await echoServer({ perMessageDeflate: false })
  try {
    const peer = await rawWebSocket(port)
    const connection = accepted[0] as Connection
    const socket = connection.socket as Socket
    const written = socket.bytesWritten
    const isTypeError = (error: unknown): boolean => error instanceof TypeError
    const anyConnection = connection as unknown as Record<string, (...args: unknown[]) => unknown>
    const calls: [string, unknown[]][] = [
      ['send', [100]],
      ['sendBinary', [100]],
      ['sendBinary', [new Uint16Array(50)]],
      ['sendBinary', [new ArrayBuffer(8)]],
      ['sendText', [100]],
      ['ping', [100]],
      ['pong', [100]],
      ['ping', [new Uint16Array(4)]],
      ['close', [1000, new Uint16Array(20)]],
      ['close', [1000, 42]],
    ]
    for (const [method, args] of calls) {
      assert.throws(() => anyConnection[method]?.apply(connection, args), isTypeError, `${method}(${args})`)
    }
    assert.is(socket.bytesWritten, written, 'nothing was written')
    assert.is(connection.state, 'open')
    // The next frame on the wire is the next valid message.
    connection.sendText('after')
    const frames = await peer.reader.until((all) => all.length > 0)
    assert.equal(
      frames.map((frame) => [frame.opcode, frame.payload.toString()]),
      [[TEXT, 'after']],
    )
    peer.socket.destroy()
    await assertHealthy(port)
  } finally {
    await server.close()
  }
})

// ---------------------------------------------------------------------------------------------
const load = suite('13. load: 1,000 concurrent connections')

load('1,000 clients x 100 messages each: nothing lost, duplicated or reordered; all close 1000', async () => {
  const CONNECTIONS = 1000
  const MESSAGES = 100
  const { server, url, accepted } = await echoServer()
  const clients: Connection[] = []
  try {
    // Connect 100 at a time (the listen backlog is finite), all open together.
    for (let start = 0; start < CONNECTIONS; start += 100) {
      const batch = await deadline(
        Promise.all(
          Array.from({ length: Math.min(100, CONNECTIONS - start) }, (_, i) =>
            connect(url, { perMessageDeflate: (start + i) % 10 === 0 }),
          ),
        ),
        10_000,
        'connecting a batch',
      )
      clients.push(...batch)
    }
    assert.is(server.connections.size, CONNECTIONS)
    // Every length encoding: 7-bit, 16-bit, and one 64-bit (over 64 KiB) message per connection.
    const sizes = [0, 10, 125, 126, 1000, 5000]
    const payload = (id: number, seq: number): string => {
      const tag = `${id}:${seq}:`
      const size = seq === 50 ? 70_000 : (sizes[(id + seq) % sizes.length] as number)
      return tag + 'x'.repeat(Math.max(0, size - tag.length))
    }
    const problems: string[] = []
    const finished = clients.map(
      (client, id) =>
        new Promise<void>((resolve) => {
          let next = 0
          const check = (text: string): void => {
            const expected = payload(id, next)
            if (text !== expected) problems.push(`connection ${id}: got ${text.slice(0, 20)} for ${next}`)
            next++
            if (next === MESSAGES) resolve()
          }
          client.on('text', (event) => check(event.data))
          client.on('binary', (event) => check(`${Buffer.from(event.data).toString('latin1')}`))
          for (let seq = 0; seq < MESSAGES; seq++) {
            const text = payload(id, seq)
            if (seq % 2 === 0) client.sendText(text)
            else client.sendBinary(Buffer.from(text, 'latin1'))
          }
        }),
    )
    await deadline(Promise.all(finished), 30_000, 'every echo')
    assert.equal(problems, [])
    for (const client of clients) client.close(1000)
    const closed = await deadline(Promise.all(clients.map((client) => client.closed)), 10_000, 'every close')
    assert.ok(
      closed.every((event) => event.code === 1000 && event.wasClean),
      'every client closed cleanly with 1000',
    )
    const serverSide = await deadline(Promise.all(accepted.map((connection) => connection.closed)))
    assert.ok(serverSide.every((event) => event.code === 1000 && event.wasClean))
  } finally {
    for (const client of clients) client.terminate()
    await server.close()
  }
})

heads.run()
values.run()
proto.run()
lengths.run()
fragments.run()
bombs.run()
windows.run()
announced.run()
slow.run()
slowloris.run()
unanswered.run()
misuse.run()
load.run()
