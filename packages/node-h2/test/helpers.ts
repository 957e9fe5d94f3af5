/** Shared test helpers: the TLS fixtures of @ws/node-tls, echo servers over HTTP/2, deadlines. */
import { readFileSync } from 'node:fs'
import type { Connection } from '@ws/driver'
import { deadline, echo } from '../../node-tcp/test/helpers.ts'
import { createH2Server, type H2ServerOptions, H2SessionPool, type H2WebSocketServer } from '../src/index.ts'

export { deadline, echo, nextEvent } from '../../node-tcp/test/helpers.ts'

const fixture = (name: string): string =>
  readFileSync(new URL(`../../node-tls/test/fixtures/${name}`, import.meta.url), 'utf8')

/** Test-only certificates (see packages/node-tls/test/fixtures/README.md). */
export const PEM = { ca: fixture('ca.pem'), cert: fixture('server.pem'), key: fixture('server-key.pem') }

/** TLS client options that trust the test CA. */
export const TRUST = { ca: PEM.ca }

/** An echo server (text and binary back) on both protocols; TLS when `secure`. */
export async function echoH2Server(
  secure: boolean,
  options: H2ServerOptions = {},
): Promise<{ server: H2WebSocketServer; url: string; port: number; accepted: Connection[] }> {
  const accepted: Connection[] = []
  const server = createH2Server(options, (connection) => {
    accepted.push(connection)
    echo(connection)
  })
  const { port } = await server.listen(secure ? { tls: { cert: PEM.cert, key: PEM.key } } : {})
  return { server, url: `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}/echo`, port, accepted }
}

/** A fresh session pool, so that tests do not share sessions. */
export function freshPool(): H2SessionPool {
  return new H2SessionPool()
}

/** What a promise rejects with; fails when it resolves (the value is closed). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  let value: unknown
  try {
    value = await deadline(promise, 5000, 'the expected rejection')
  } catch (error) {
    return error
  }
  ;(value as Connection | undefined)?.terminate?.()
  throw new Error('expected a rejection, but the promise resolved')
}
