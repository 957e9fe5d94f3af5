/**
 * Chromium (Debian's, driven by playwright-core; never a downloaded browser): the browser's own
 * WebSocket against our Node servers over ws:// and wss://, with permessage-deflate agreed, and
 * our core, driver and WHATWG classes running inside the page over an in-memory transport pair.
 * Without /usr/bin/chromium the suite is skipped locally, with a line saying so; under CI=true
 * a missing browser fails.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { build } from 'esbuild'
import { type Browser, chromium, type Page } from 'playwright-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createSecureServer, WebSocketServer } from '../src/index.ts'

const CHROMIUM = '/usr/bin/chromium'
const fixture = (name: string): string =>
  readFileSync(new URL(`../../node-tls/test/fixtures/${name}`, import.meta.url), 'utf8')

const browserSuite = suite<{ browser?: Browser; page?: Page; site?: HttpServer }>('Chromium')
const available = existsSync(CHROMIUM)

browserSuite.before(async (context) => {
  if (!available) return
  context.browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Our wss:// server presents the project's test certificate, which the browser does not trust.
    args: ['--ignore-certificate-errors'],
    timeout: 30_000,
  })
  context.page = await context.browser.newPage()
  // The page comes from 127.0.0.1: Chromium blocks pages of other address spaces (about:blank
  // included) from opening connections to the loopback interface (Local Network Access).
  context.site = createHttpServer((_request, response) => {
    response.setHeader('content-type', 'text/html')
    response.end('<!doctype html><title>ws-stack</title>')
  })
  await new Promise<void>((resolve) => context.site?.listen(0, '127.0.0.1', resolve))
  await context.page.goto(`http://127.0.0.1:${(context.site.address() as AddressInfo).port}/`)
})

browserSuite.after(async (context) => {
  await context.browser?.close()
  await new Promise((resolve) => (context.site ? context.site.close(resolve) : resolve(undefined)))
})

/** The browser's own WebSocket: echoes a text and a binary message, then closes. */
async function browserEcho(page: Page, url: string): Promise<unknown> {
  return page.evaluate(
    (target) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(target, ['echo.v1'])
        ws.binaryType = 'arraybuffer'
        const seen: unknown[] = []
        ws.onopen = () => {
          seen.push(['open', ws.protocol, ws.extensions])
          ws.send('héllo')
          ws.send(new Uint8Array([0, 1, 2, 255]))
        }
        ws.onmessage = (event) => {
          seen.push(typeof event.data === 'string' ? event.data : Array.from(new Uint8Array(event.data)))
          if (seen.length === 3) ws.close(1000, 'bye')
        }
        ws.onerror = () => reject(new Error(`the browser's WebSocket to ${target} failed`))
        ws.onclose = (event) => {
          seen.push(['close', event.code, event.wasClean])
          resolve(seen)
        }
      }),
    url,
  )
}

function echoHandler(server: WebSocketServer): void {
  server.on('connection', (connection) => {
    connection.on('text', (event) => connection.sendText(`echo ${event.data}`))
    connection.on('binary', (event) => connection.sendBinary(event.data))
  })
}

const EXPECTED_ECHO = (extensions: string): unknown[] => [
  ['open', 'echo.v1', extensions],
  'echo héllo',
  [0, 1, 2, 255],
  ['close', 1000, true],
]

browserSuite(
  "the browser's WebSocket against our ws:// server, permessage-deflate agreed",
  async (context) => {
    if (!context.page) return skipped()
    const server = new WebSocketServer({ handleProtocols: (offered) => offered[0] })
    echoHandler(server)
    const { port } = await server.listen(0)
    try {
      const seen = await browserEcho(context.page, `ws://127.0.0.1:${port}/`)
      // Chromium offers client_max_window_bits; our server answers with its defaults.
      assert.equal(seen, EXPECTED_ECHO('permessage-deflate; client_max_window_bits=13'))
    } finally {
      await server.close()
    }
  },
)

browserSuite("the browser's WebSocket against our wss:// server (TLS 1.3)", async (context) => {
  if (!context.page) return skipped()
  const server = createSecureServer({
    key: fixture('server-key.pem'),
    cert: fixture('server.pem'),
    handleProtocols: (offered) => offered[0],
  })
  echoHandler(server)
  const protocols: string[] = []
  server.on('connection', (connection) => {
    protocols.push((connection.socket as import('node:tls').TLSSocket).getProtocol() ?? '')
  })
  const { port } = await server.listen(0)
  try {
    const seen = await browserEcho(context.page, `wss://localhost:${port}/`)
    assert.equal(seen, EXPECTED_ECHO('permessage-deflate; client_max_window_bits=13'))
    assert.equal(protocols, ['TLSv1.3'])
  } finally {
    await server.close()
  }
})

browserSuite(
  'our core, driver and WHATWG WebSocket run inside the page, over an in-memory pair',
  async (context) => {
    if (!context.page) return skipped()
    const bundle = await build({
      stdin: {
        contents: `
        import { Acceptor, createMemoryPair } from '../../driver/src/index.ts'
        import { createWebSocketClasses } from '../../web/src/index.ts'
        globalThis.runInPage = () => new Promise((resolve) => {
          const { client, server } = createMemoryPair({ chunkSize: 7 })
          const acceptor = new Acceptor({ handleProtocols: (offered) => offered[1] })
          void acceptor.accept(server, (connection) => {
            connection.on('text', (event) => connection.sendText(event.data.split('').reverse().join('')))
          })
          const { WebSocket } = createWebSocketClasses({ open: async () => client })
          const ws = new WebSocket('ws://in-memory.test/page', ['a', 'b'])
          const seen = []
          ws.onopen = () => { seen.push('open ' + ws.protocol + ' ' + ws.extensions); ws.send('browser') }
          ws.onmessage = (event) => { seen.push('message ' + event.data + ' ' + event.origin); ws.close(4001, 'done') }
          ws.onclose = (event) => {
            seen.push('close ' + event.code + ' ' + event.wasClean + ' ' + (event instanceof CloseEvent))
            resolve(seen)
          }
        })
      `,
        resolveDir: new URL('.', import.meta.url).pathname,
        loader: 'ts',
      },
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
    })
    await context.page.addScriptTag({ content: bundle.outputFiles[0]?.text ?? '' })
    const seen = await context.page.evaluate(() =>
      (globalThis as unknown as { runInPage(): Promise<unknown> }).runInPage(),
    )
    assert.equal(seen, [
      'open b permessage-deflate; client_max_window_bits=13',
      'message resworb ws://in-memory.test',
      // The browser's own CloseEvent class is used.
      'close 4001 true true',
    ])
  },
)

function skipped(): void {
  if (process.env.CI === 'true')
    assert.unreachable(`${CHROMIUM} is missing: CI must install Debian's chromium`)
  console.log(`Chromium tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`)
}

browserSuite.run()
