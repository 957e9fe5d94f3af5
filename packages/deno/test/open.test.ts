/** The Deno opener's option mapping and its errors outside Deno (the rest runs in Deno: runtimes.test.ts). */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { openDenoTransport, tlsOptions, withCode } from '../src/open.ts'

const target = { host: '127.0.0.1', port: 8443, secure: true }
const open = suite('@ws/deno opener')

open('TLS options: ca (one PEM or a list), cert and key map to Deno.connectTls options', () => {
  assert.equal(tlsOptions(target, {}), { hostname: '127.0.0.1', port: 8443 })
  assert.equal(tlsOptions(target, { ca: 'A', cert: 'C', key: 'K' }), {
    hostname: '127.0.0.1',
    port: 8443,
    caCerts: ['A'],
    cert: 'C',
    key: 'K',
  })
  assert.equal(tlsOptions(target, { ca: ['A', 'B'] }).caCerts, ['A', 'B'])
})

open('what Deno cannot do per connection is refused with a TypeError that says why', () => {
  assert.throws(
    () => tlsOptions(target, { rejectUnauthorized: false }),
    /--unsafely-ignore-certificate-errors/,
  )
  assert.throws(() => tlsOptions(target, { servername: 'example.com' }), /no servername option/)
  assert.throws(() => tlsOptions(target, { ca: 42 }), /ca must be a PEM string or an array of them/)
  assert.throws(() => tlsOptions(target, { cert: Buffer.from('x') }), /cert must be a PEM string/)
})

open('outside Deno, opening rejects with a TypeError naming the package to use', async () => {
  let failure: unknown
  try {
    await openDenoTransport(target, new AbortController().signal, {})
  } catch (error) {
    failure = error
  }
  assert.instance(failure, TypeError)
  assert.match(String(failure), /@ws\/deno needs Deno/)
})

open('Deno’s error names become Node’s codes where Node has one', () => {
  const named = (name: string): Error => Object.assign(new Error('x'), { name })
  assert.is((withCode(named('ConnectionRefused')) as { code: string }).code, 'ECONNREFUSED')
  assert.is((withCode(named('ConnectionReset')) as { code: string }).code, 'ECONNRESET')
  assert.is((withCode(named('InvalidData')) as { code: string }).code, 'InvalidData')
  assert.is((withCode(new Error('plain')) as { code: string }).code, 'ERR_NETWORK')
  const coded = Object.assign(new Error('x'), { code: 'ALREADY' })
  assert.is((withCode(coded) as { code: string }).code, 'ALREADY')
})

open.run()
