/**
 * reject() over HTTP/1.1 and HTTP/2 treats the caller's headers the same way: a Content-Type
 * replaces the default (once, never twice), and the body's length is the handshake's own.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { H2ClientHandshake, H2ServerHandshake } from '../src/h2.ts'
import { ClientHandshake, ServerHandshake } from '../src/index.ts'

const decoder = new TextDecoder()

function http1(): ServerHandshake {
  const server = new ServerHandshake()
  server.receive(new ClientHandshake({ url: 'ws://reject.test/' }).request)
  return server
}

function http2(): H2ServerHandshake {
  const server = new H2ServerHandshake()
  const result = server.receive(new H2ClientHandshake({ url: 'ws://reject.test/' }).headers)
  assert.is(result.kind, 'request')
  return server
}

test('HTTP/1.1: the default text/plain, or the caller Content-Type alone; Content-Length is reserved', () => {
  const plain = decoder.decode(http1().reject(503, { body: 'busy' }))
  assert.equal(plain.match(/^content-type: .*$/gim), ['Content-Type: text/plain; charset=utf-8'])
  const json = decoder.decode(
    http1().reject(503, { headers: { 'Content-Type': 'application/json' }, body: '{}' }),
  )
  assert.equal(json.match(/^content-type: .*$/gim), ['Content-Type: application/json'])
  assert.match(json, /\r\nContent-Length: 2\r\n/)
  assert.throws(
    () => http1().reject(503, { headers: { 'content-length': '99' } }),
    /set by the handshake itself/,
  )
})

test('HTTP/2: the same rules for content-type; content-length stays reserved', () => {
  const plain = http2().reject(503, { body: 'busy' })
  assert.equal(
    plain.headers.filter(([name]) => name === 'content-type'),
    [['content-type', 'text/plain; charset=utf-8']],
  )
  const json = http2().reject(503, { headers: { 'Content-Type': 'application/json' }, body: '{}' })
  assert.equal(
    json.headers.filter(([name]) => name === 'content-type'),
    [['content-type', 'application/json']],
  )
  assert.throws(
    () => http2().reject(503, { headers: { 'content-length': '99' } }),
    /set by the handshake itself/,
  )
})

test.run()
