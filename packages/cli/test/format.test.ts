import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  describeConnectError,
  describeSystemError,
  formatBinary,
  formatClosed,
  formatListenUrl,
} from '../src/format.ts'

const url = 'ws://127.0.0.1:1/'
const error = (fields: Record<string, unknown>): Error =>
  Object.assign(new Error(String(fields.message ?? 'x')), fields)

test('formatBinary: lowercase hex of exactly the view', () => {
  assert.is(formatBinary(new Uint8Array([0, 1, 0xab, 0xff])), 'binary:0001abff')
  assert.is(formatBinary(new Uint8Array([9, 0xca, 0xfe, 9]).subarray(1, 3)), 'binary:cafe')
  assert.is(formatBinary(new Uint8Array(0)), 'binary:')
})

test('formatClosed and formatListenUrl', () => {
  assert.is(formatClosed(1000, 'bye now'), 'closed 1000 bye now')
  assert.is(formatClosed(1005, ''), 'closed 1005')
  assert.is(formatListenUrl(false, '127.0.0.1', 8080), 'ws://127.0.0.1:8080')
  assert.is(formatListenUrl(true, '::1', 8443), 'wss://[::1]:8443')
})

test('describeConnectError: network errors name the URL, the cause in words and the code', () => {
  assert.is(
    describeConnectError(
      error({
        kind: 'network',
        code: 'ECONNREFUSED',
        message: `cannot connect to ${url}: connection refused (ECONNREFUSED)`,
      }),
      url,
    ),
    'wsx: cannot connect to ws://127.0.0.1:1/: connection refused (ECONNREFUSED)',
  )
  assert.is(
    describeConnectError(error({ kind: 'network', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), url),
    'wsx: cannot connect to ws://127.0.0.1:1/: TLS: the server certificate is self-signed; trust it with --ca FILE (DEPTH_ZERO_SELF_SIGNED_CERT)',
  )
  assert.is(
    describeConnectError(
      error({ kind: 'network', code: 'EWHAT', message: `cannot connect to ${url}: odd\nthing (EWHAT)` }),
      url,
    ),
    'wsx: cannot connect to ws://127.0.0.1:1/: odd thing (EWHAT)',
  )
  assert.is(describeConnectError(new TypeError('bad'), url), 'wsx: cannot connect to ws://127.0.0.1:1/: bad')
  assert.is(describeConnectError('weird', url), 'wsx: cannot connect to ws://127.0.0.1:1/: weird')
})

test('describeConnectError: handshake failures and timeouts', () => {
  assert.is(
    describeConnectError(error({ kind: 'handshake', code: 'WS_ERR_UNEXPECTED_STATUS', status: 404 }), url),
    'wsx: handshake failed: server answered 404 Not Found',
  )
  assert.is(
    describeConnectError(error({ kind: 'handshake', code: 'X', status: 599 }), url),
    'wsx: handshake failed: server answered 599',
  )
  assert.is(
    describeConnectError(
      error({ kind: 'handshake', code: 'WS_ERR_BAD_ACCEPT', message: 'wrong Sec-WebSocket-Accept' }),
      url,
    ),
    'wsx: handshake failed: wrong Sec-WebSocket-Accept (WS_ERR_BAD_ACCEPT)',
  )
  assert.is(
    describeConnectError(error({ kind: 'handshake', message: 'no code' }), url),
    'wsx: handshake failed: no code',
  )
  assert.is(
    describeConnectError(error({ kind: 'timeout', code: 'WS_ERR_HANDSHAKE_TIMEOUT' }), url),
    'wsx: cannot connect to ws://127.0.0.1:1/: no complete handshake in time (WS_ERR_HANDSHAKE_TIMEOUT)',
  )
  assert.is(
    describeConnectError(error({ kind: 'timeout' }), url),
    'wsx: cannot connect to ws://127.0.0.1:1/: no complete handshake in time',
  )
})

test('describeSystemError', () => {
  assert.is(
    describeSystemError('cannot serve on 127.0.0.1:80', error({ code: 'EADDRINUSE' })),
    'wsx: cannot serve on 127.0.0.1:80: address already in use (EADDRINUSE)',
  )
  assert.is(describeSystemError('x', error({ code: 'EODD', message: 'odd' })), 'wsx: x: odd (EODD)')
  assert.is(describeSystemError('x', 'plain'), 'wsx: x: plain')
  assert.is(
    describeSystemError(
      'x',
      error({ code: 'ERR_OSSL_X', reason: 'key values mismatch', message: 'error:0:long' }),
    ),
    'wsx: x: key values mismatch (ERR_OSSL_X)',
  )
})

test.run()
