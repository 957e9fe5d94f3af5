/**
 * The client's failures, each a ConnectError that says what went wrong, and the session pool.
 */
import { once } from 'node:events'
import {
  type ClientHttp2Session,
  constants,
  createServer as createHttp2Server,
  type Http2Server,
  type ServerHttp2Stream,
} from 'node:http2'
import { createServer as createNetServer } from 'node:net'
import { ConnectError } from '@ws/driver'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { connect, H2SessionPool, type H2StreamTransport } from '../src/index.ts'
import { deadline, echoH2Server, rejection } from './helpers.ts'

const test = suite('client failures and sessions')

// Every session a test opens is closed after it, so that nothing keeps the process alive.
const pools: H2SessionPool[] = []
function freshPool(): H2SessionPool {
  const pool = new H2SessionPool()
  pools.push(pool)
  return pool
}
test.after.each(() => {
  for (const pool of pools.splice(0)) pool.close()
})

/** An h2c server with extended CONNECT whose streams are answered by `answer`. */
async function rawServer(
  answer: (stream: ServerHttp2Stream) => void,
): Promise<{ server: Http2Server; url: string }> {
  const server = createHttp2Server({ settings: { enableConnectProtocol: true } })
  server.on('stream', (stream) => {
    stream.on('error', () => {})
    answer(stream)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { server, url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/` }
}

function connectError(error: unknown, kind: ConnectError['kind'], code: string): ConnectError {
  assert.instance(error, ConnectError)
  const e = error as ConnectError
  assert.is(e.kind, kind, e.message)
  assert.is(e.code, code, e.message)
  return e
}

test('bad arguments throw', async () => {
  await connect('ws://x/', { handshakeTimeout: 0 }).then(
    () => assert.unreachable(),
    (error: unknown) => assert.instance(error, RangeError),
  )
  await connect('ftp://x/').then(
    () => assert.unreachable(),
    (error: unknown) => assert.instance(error, SyntaxError),
  )
})

test('a refused connection', async () => {
  const probe = createNetServer()
  probe.listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const port = (probe.address() as { port: number }).port
  probe.close()
  await once(probe, 'close')
  const error = connectError(
    await rejection(connect(`ws://127.0.0.1:${port}/`, { pool: freshPool() })),
    'network',
    'ECONNREFUSED',
  )
  assert.match(error.message, /connection refused/)
})

test('a refusal status, with its fields', async () => {
  const { server, url } = await rawServer((stream) => {
    stream.respond({ ':status': 401, 'www-authenticate': 'Basic' })
    stream.end()
  })
  try {
    const error = connectError(
      await rejection(connect(url, { pool: freshPool() })),
      'handshake',
      'WS_ERR_UNEXPECTED_STATUS',
    )
    assert.is(error.status, 401)
    assert.match(error.message, /the server answered 401/)
    assert.ok(error.headers?.some(([name, value]) => name === 'www-authenticate' && value === 'Basic'))
  } finally {
    server.close()
  }
})

test('a response that breaks the negotiation', async () => {
  const { server, url } = await rawServer((stream) =>
    stream.respond({ ':status': 200, 'sec-websocket-protocol': 'other' }),
  )
  try {
    connectError(
      await rejection(connect(url, { pool: freshPool(), protocols: ['chat'] })),
      'handshake',
      'WS_ERR_UNREQUESTED_PROTOCOL',
    )
  } finally {
    server.close()
  }
})

test('a stream reset or closed before the response', async () => {
  const reset = await rawServer((stream) => stream.close(constants.NGHTTP2_REFUSED_STREAM))
  const closed = await rawServer((stream) => stream.close(constants.NGHTTP2_NO_ERROR))
  const cancel = await rawServer((stream) => stream.close(constants.NGHTTP2_CANCEL))
  try {
    const error = connectError(
      await rejection(connect(reset.url, { pool: freshPool() })),
      'network',
      'ERR_HTTP2_STREAM_ERROR',
    )
    assert.match(error.message, /NGHTTP2_REFUSED_STREAM/)
    const cancelled = connectError(
      await rejection(connect(cancel.url, { pool: freshPool() })),
      'network',
      'ERR_HTTP2_STREAM_RESET',
    )
    assert.match(cancelled.message, /reset the stream \(code 8\)/)
    connectError(
      await rejection(connect(closed.url, { pool: freshPool() })),
      'network',
      'WS_ERR_CONNECTION_CLOSED',
    )
  } finally {
    reset.server.close()
    closed.server.close()
    cancel.server.close()
  }
})

test('no response in time, or aborted', async () => {
  const streams: ServerHttp2Stream[] = []
  const { server, url } = await rawServer((stream) => streams.push(stream))
  try {
    const timedOut = connectError(
      await rejection(connect(url, { pool: freshPool(), handshakeTimeout: 200 })),
      'timeout',
      'WS_ERR_HANDSHAKE_TIMEOUT',
    )
    assert.match(timedOut.message, /within 200 ms/)
    const controller = new AbortController()
    const pending = connect(url, { pool: freshPool(), signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    connectError(await rejection(pending), 'aborted', 'ABORT_ERR')
    connectError(
      await rejection(connect(url, { pool: freshPool(), signal: AbortSignal.abort() })),
      'aborted',
      'ABORT_ERR',
    )
  } finally {
    for (const stream of streams) stream.close()
    server.close()
  }
})

test('a session that went away is replaced', async () => {
  const { server, url } = await echoH2Server(false)
  const pool = freshPool()
  try {
    const first = await connect(url, { pool })
    const session = (first.transport as H2StreamTransport).stream.session as ClientHttp2Session
    first.close()
    await deadline(first.closed, 5000, 'closed')
    session.close()
    await deadline(once(session, 'close'), 5000, 'session closed')
    const second = await connect(url, { pool })
    assert.is.not((second.transport as H2StreamTransport).stream.session, session)
    second.close()
    await deadline(second.closed, 5000, 'closed')
  } finally {
    pool.close()
    await server.close()
  }
})

test.run()
