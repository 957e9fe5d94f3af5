/**
 * Chromium (Debian's, through playwright-core) opens `new WebSocket('wss://same-origin/...')`
 * after a fetch() to our HTTP/2 server: with SETTINGS_ENABLE_CONNECT_PROTOCOL advertised it sends
 * the WebSocket as an extended CONNECT stream on the existing connection (RFC 8441). The DevTools
 * protocol shows the handshake's status: 200 (HTTP/2), not 101. Skipped locally without
 * /usr/bin/chromium; a failure under CI=true.
 */
import { existsSync } from 'node:fs'
import type { ServerHttp2Stream } from 'node:http2'
import { chromium } from 'playwright-core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createH2Server } from '../src/index.ts'
import { PEM } from './helpers.ts'

const CHROMIUM = '/usr/bin/chromium'

test("Chromium's WebSocket goes over HTTP/2 to our server, permessage-deflate agreed", async () => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI === 'true')
      assert.unreachable(`${CHROMIUM} is missing: CI must install Debian's chromium`)
    console.log(`Chromium test skipped: ${CHROMIUM} is not installed`)
    return
  }
  const kinds: string[] = []
  const server = createH2Server({}, (connection, request) => {
    kinds.push(request.method === 'CONNECT' ? 'http/2' : 'http/1.1')
    connection.on('text', (event) => connection.sendText(`echo ${event.data}`))
  })
  server.on('stream', (stream: ServerHttp2Stream) => {
    stream.respond({ ':status': 200, 'content-type': 'text/html' })
    stream.end('<!doctype html><title>h2</title>')
  })
  const { port } = await server.listen({ tls: { cert: PEM.cert, key: PEM.key } })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--ignore-certificate-errors'] })
  try {
    const page = await browser.newPage()
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Network.enable')
    const statuses: number[] = []
    cdp.on('Network.webSocketHandshakeResponseReceived', (event) => statuses.push(event.response.status))
    const origin = `https://localhost:${port}`
    const loaded = await page.goto(`${origin}/`)
    assert.is(loaded?.status(), 200)
    const seen = await page.evaluate(
      (url) =>
        fetch('/').then(
          () =>
            new Promise((resolve, reject) => {
              const ws = new WebSocket(url)
              const events: unknown[] = []
              ws.onopen = () => {
                events.push(['open', ws.extensions])
                ws.send('over h2')
              }
              ws.onmessage = (event) => {
                events.push(event.data)
                ws.close(1000)
              }
              ws.onerror = () => reject(new Error('the WebSocket failed'))
              ws.onclose = (event) => {
                events.push(['close', event.code, event.wasClean])
                resolve(events)
              }
            }),
        ),
      `wss://localhost:${port}/ws`,
    )
    assert.equal(seen, [
      ['open', 'permessage-deflate; client_max_window_bits=13'],
      'echo over h2',
      ['close', 1000, true],
    ])
    assert.equal(statuses, [200], 'DevTools saw an HTTP/2 handshake (200, not 101)')
    assert.equal(kinds, ['http/2'])
  } finally {
    await browser.close()
    await server.close()
  }
})

test.run()
