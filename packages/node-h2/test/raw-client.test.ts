/**
 * The server against a raw node:http2 client that writes the extended CONNECT by hand (RFC 8441
 * section 5) and its own WebSocket frames (RFC 6455 section 5.2): good and bad requests.
 */
import { once } from 'node:events'
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  connect as http2Connect,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2'
import { deflateRawSync, inflateRawSync, constants as zlib } from 'node:zlib'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { deadline, echoH2Server, PEM } from './helpers.ts'

/** A client frame: FIN, the opcode, masked with a fixed key. */
function clientFrame(opcode: number, payload: Buffer, rsv1 = false): Buffer {
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78])
  const length = payload.length
  const head =
    length < 126
      ? Buffer.from([0x80 | (rsv1 ? 0x40 : 0) | opcode, 0x80 | length])
      : Buffer.from([0x80 | (rsv1 ? 0x40 : 0) | opcode, 0x80 | 126, length >> 8, length & 0xff])
  const masked = Buffer.from(payload.map((byte, index) => byte ^ (key[index % 4] as number)))
  return Buffer.concat([head, key, masked])
}

/** Reads one unmasked server frame (lengths up to 64 KiB) from the stream's data. */
function readFrame(stream: ClientHttp2Stream): Promise<{ opcode: number; rsv1: boolean; payload: Buffer }> {
  let buffered = Buffer.alloc(0)
  return deadline(
    new Promise((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        buffered = Buffer.concat([buffered, chunk])
        if (buffered.length < 2) return
        let length = (buffered[1] as number) & 0x7f
        let offset = 2
        if (length === 126) {
          if (buffered.length < 4) return
          length = buffered.readUInt16BE(2)
          offset = 4
        }
        if (buffered.length < offset + length) return
        stream.off('data', onData)
        const first = buffered[0] as number
        resolve({
          opcode: first & 0x0f,
          rsv1: (first & 0x40) !== 0,
          payload: buffered.subarray(offset, offset + length),
        })
      }
      stream.on('data', onData)
      stream.once('close', () => reject(new Error('the stream closed before a frame')))
    }),
    5000,
    'a server frame',
  )
}

async function session(url: string, secure: boolean): Promise<ClientHttp2Session> {
  const client = http2Connect(url.replace(/^ws/, 'http'), secure ? { ca: PEM.ca } : {})
  await deadline(once(client, 'remoteSettings'), 5000, 'SETTINGS')
  return client
}

/** Sends `headers` on a new stream; resolves with the response's fields and the stream. */
async function request(client: ClientHttp2Session, headers: OutgoingHttpHeaders) {
  const stream = client.request(headers, { endStream: false })
  const [response] = (await deadline(once(stream, 'response'), 5000, 'the response')) as [IncomingHttpHeaders]
  return { stream, response }
}

/** Reads a response body to its end. */
async function body(stream: ClientHttp2Stream): Promise<string> {
  let text = ''
  stream.setEncoding('utf8')
  stream.on('data', (chunk: string) => {
    text += chunk
  })
  await deadline(once(stream, 'end'), 5000, 'the body')
  return text
}

const good = suite('a hand-written extended CONNECT')

for (const secure of [false, true]) {
  good(
    `${secure ? 'TLS' : 'h2c'}: SETTINGS_ENABLE_CONNECT_PROTOCOL, 200, frames both ways, END_STREAM`,
    async () => {
      const { server, url, port, accepted } = await echoH2Server(secure, {
        handleProtocols: (offered) => offered.find((protocol) => protocol === 'chat'),
      })
      const client = await session(url, secure)
      try {
        assert.is(client.remoteSettings.enableConnectProtocol, true, 'the server advertises extended CONNECT')
        const { stream, response } = await request(client, {
          ':method': 'CONNECT',
          ':protocol': 'websocket',
          ':scheme': secure ? 'https' : 'http',
          ':path': '/chat?x=1',
          ':authority': `127.0.0.1:${port}`,
          'sec-websocket-version': '13',
          'sec-websocket-protocol': 'superchat, chat',
          'sec-websocket-extensions': 'permessage-deflate',
          origin: 'http://www.example.com',
        })
        assert.is(response[':status'], 200)
        assert.is(response['sec-websocket-protocol'], 'chat')
        assert.match(String(response['sec-websocket-extensions']), /^permessage-deflate/)
        assert.is(response['sec-websocket-accept'], undefined, 'no accept value over HTTP/2')

        stream.write(clientFrame(1, Buffer.from('hello over h2')))
        const small = await readFrame(stream)
        assert.equal(
          { opcode: small.opcode, text: small.payload.toString() },
          { opcode: 1, text: 'hello over h2' },
        )

        // A compressed message (node:zlib), echoed compressed (over the 1 KiB threshold).
        const text = 'compress me '.repeat(200)
        const deflated = deflateRawSync(Buffer.from(text), { finishFlush: zlib.Z_SYNC_FLUSH }).subarray(0, -4)
        stream.write(clientFrame(1, deflated, true))
        const big = await readFrame(stream)
        assert.is(big.rsv1, true, 'the echo is compressed')
        const inflated = inflateRawSync(Buffer.concat([big.payload, Buffer.from([0, 0, 0xff, 0xff])]), {
          finishFlush: zlib.Z_SYNC_FLUSH,
        })
        assert.is(inflated.toString(), text)

        const request0 = accepted[0]
        assert.ok(request0 !== undefined)
        // The close handshake, then END_STREAM from the server (RFC 8441 section 6).
        stream.write(clientFrame(8, Buffer.from([0x03, 0xe8])))
        const close = await readFrame(stream)
        assert.is(close.opcode, 8)
        assert.equal([...close.payload], [0x03, 0xe8])
        stream.resume()
        await deadline(once(stream, 'end'), 5000, 'END_STREAM from the server')
        stream.end()
        await deadline(once(stream, 'close'), 5000, 'stream closed')
        assert.is(stream.rstCode, 0, 'closed without a reset')
        const closed = await deadline(request0.closed, 5000, 'server side closed')
        assert.is(closed.code, 1000)
        assert.is(closed.wasClean, true)
      } finally {
        client.close()
        await server.close()
      }
    },
  )
}

const bad = suite('bad requests get the right status')

const cases: [string, (port: number) => OutgoingHttpHeaders, number, RegExp, Record<string, string>?][] = [
  [
    'Sec-WebSocket-Version 8',
    (port) => ({ ...base(port), 'sec-websocket-version': '8' }),
    400,
    /version 13/,
    { 'sec-websocket-version': '13' },
  ],
  ['no Sec-WebSocket-Version', (port) => omit(base(port), 'sec-websocket-version'), 400, /version 13/],
  [
    'a malformed subprotocol offer',
    (port) => ({ ...base(port), 'sec-websocket-protocol': 'a b' }),
    400,
    /Protocol/,
  ],
  [
    'a malformed extension offer',
    (port) => ({ ...base(port), 'sec-websocket-extensions': 'x;;' }),
    400,
    /Extensions/,
  ],
  [
    'a host that differs from :authority',
    (port) => ({ ...base(port), host: 'elsewhere.example' }),
    400,
    /host/,
  ],
  [
    'a :protocol other than websocket',
    (port) => ({ ...base(port), ':protocol': 'webtransport' }),
    501,
    /webtransport/,
  ],
  [
    'a plain CONNECT tunnel',
    (port) => ({ ':method': 'CONNECT', ':authority': `127.0.0.1:${port}` }),
    501,
    /tunnels are not implemented/,
  ],
  [
    'an ordinary GET (no application handler)',
    () => ({ ':method': 'GET', ':path': '/', ':scheme': 'http' }),
    426,
    /WebSocket endpoint/,
  ],
]

function base(port: number): OutgoingHttpHeaders {
  return {
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': 'http',
    ':path': '/',
    ':authority': `127.0.0.1:${port}`,
    'sec-websocket-version': '13',
  }
}

function omit(headers: OutgoingHttpHeaders, name: string): OutgoingHttpHeaders {
  const copy = { ...headers }
  delete copy[name]
  return copy
}

bad('every refusal on one session; the session stays usable', async () => {
  const { server, url, port, accepted } = await echoH2Server(false, {
    verifyClient: (request) =>
      request.origin === 'https://evil.example' ? { status: 403, body: 'origin not allowed' } : true,
  })
  const client = await session(url, false)
  try {
    for (const [name, headers, status, message, extra] of cases) {
      const { stream, response } = await request(client, headers(port))
      assert.is(response[':status'], status, name)
      assert.is(response['content-type'], 'text/plain; charset=utf-8', name)
      for (const [field, value] of Object.entries(extra ?? {})) assert.is(response[field], value, name)
      assert.match(await body(stream), message, name)
    }
    const refused = await request(client, { ...base(port), origin: 'https://evil.example' })
    assert.is(refused.response[':status'], 403)
    assert.is(await body(refused.stream), 'origin not allowed')
    assert.is(accepted.length, 0)
    // After all that, a good request on the same session.
    const last = await request(client, base(port))
    assert.is(last.response[':status'], 200)
    assert.is(accepted.length, 1)
    last.stream.close()
  } finally {
    client.close()
    await server.close()
  }
})

bad('the application answers ordinary HTTP/2 requests itself', async () => {
  const { server, url } = await echoH2Server(false)
  server.on('stream', (stream, headers) => {
    stream.respond({ ':status': 200, 'content-type': 'text/plain' })
    stream.end(`you asked for ${headers[':path']}`)
  })
  const client = await session(url, false)
  try {
    const { stream, response } = await request(client, {
      ':method': 'GET',
      ':path': '/page',
      ':scheme': 'http',
    })
    assert.is(response[':status'], 200)
    assert.is(await body(stream), 'you asked for /page')
  } finally {
    client.close()
    await server.close()
  }
})

good.run()
bad.run()
