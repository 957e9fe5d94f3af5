/**
 * Differential test against a real browser: the same script runs against Chromium's own
 * WebSocket and CloseEvent (through playwright-core) and against ours, and the outcomes must be
 * equal: URL and subprotocol checks, close() code and reason conversions, binaryType, send()
 * while CONNECTING, the WebIDL shape, CloseEvent's init dictionary, and the events of a refused
 * connection, of close() while connecting, of an echo, of a 101 without the subprotocol offered
 * or with it in another case, and of frames in the 101's packet. Skipped without Chromium.
 */
import { existsSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { defineCloseEvent } from '../src/close-event.ts'
import { deadline, frame, nodeClasses, ourServer, rawServer, switching } from './servers.ts'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** The script: plain JavaScript, so that it runs unchanged in the page and in Node. */
const SCRIPT = `async (WebSocket, CloseEvent, urls) => {
  const out = {}
  const outcome = (fn) => {
    try {
      const value = fn()
      return value === undefined ? 'ok' : value
    } catch (error) {
      return error.name
    }
  }
  const quiet = (socket) => {
    socket.onerror = () => {}
    return socket
  }
  out.urls = ['ws://h/', 'http://h:80/a', 'https://h/', 'HTTP://H:8080', 'ftp://h/', 'ws://h/#', 'ws://h/#x',
    'not a url', 'ws://h/\\u00e9?q=\\u00fc', 'wss://h:443/', 'ws://h:80/']
    .map((url) => outcome(() => {
      const socket = quiet(new WebSocket(url))
      const text = socket.url
      socket.close()
      return text
    }))
  out.protocols = [[], 'a', ['a', 'b'], ['a', 'A'], [''], ['a b'], ['\\u00e9'], 'a,b', ['x', 'y', 'x'], null, ['a{']]
    .map((protocols) => outcome(() => {
      quiet(new WebSocket(urls.refused, protocols)).close()
    }))
  // Validation comes before any state check, so one socket serves every code and reason: the
  // first valid call moves it to CLOSING, and later valid calls leave it there.
  const target = quiet(new WebSocket(urls.refused))
  out.codes = [1000, 1000.9, 999.5, 3000.5, 4999.5, NaN, null, '3000', 66536, -1, 0, 1001, 2999, 5000, true, Infinity, '']
    .map((code) => outcome(() => {
      target.close(code)
      return target.readyState
    }))
  out.reasons = ['x'.repeat(123), 'x'.repeat(124), '\\ud800'.repeat(41), '\\ud800'.repeat(42), '\\u00e9'.repeat(62), '\\u00e9'.repeat(61), null]
    .map((reason) => outcome(() => {
      target.close(1000, reason)
      return target.readyState
    }))
  const socket = quiet(new WebSocket(urls.refused))
  out.binaryType = [socket.binaryType]
  for (const value of ['arraybuffer', 'Blob', '', 'blob', 'x', 'arraybuffer']) {
    socket.binaryType = value
    out.binaryType.push(socket.binaryType)
  }
  out.send = ['x', new Uint8Array(1), new ArrayBuffer(1), new Blob(['x']), null].map((data) => outcome(() => socket.send(data)))
  out.arity = [outcome(() => socket.send()), outcome(() => new WebSocket()), outcome(() => WebSocket(urls.refused))]
  out.bufferedAmount = socket.bufferedAmount
  socket.close()
  out.shape = ['url', 'readyState', 'bufferedAmount', 'extensions', 'protocol', 'binaryType', 'onopen', 'onmessage',
    'onerror', 'onclose', 'close', 'send', 'CONNECTING', 'CLOSED'].map((name) => {
    const found = Object.getOwnPropertyDescriptor(WebSocket.prototype, name)
    return found && [typeof found.get, typeof found.set, typeof found.value, found.enumerable, found.configurable, found.writable]
  })
  out.statics = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].map((name) => {
    const found = Object.getOwnPropertyDescriptor(WebSocket, name)
    return [found.value, found.writable, found.enumerable, found.configurable]
  })
  out.functions = [WebSocket.length, WebSocket.name, WebSocket.prototype.close.length, WebSocket.prototype.send.length,
    Object.prototype.toString.call(socket), Object.getPrototypeOf(WebSocket.prototype) === EventTarget.prototype]
  out.receiver = [outcome(() => Object.getOwnPropertyDescriptor(WebSocket.prototype, 'url').get.call({})),
    outcome(() => WebSocket.prototype.close.call({}))]
  const plain = new CloseEvent('close')
  const full = new CloseEvent('x', { code: 66536, reason: 'a\\ud800', wasClean: 1, bubbles: true })
  out.closeEvent = [plain.code, plain.reason, plain.wasClean, plain.bubbles, full.code, full.reason, full.wasClean,
    full.bubbles, outcome(() => new CloseEvent())]
  const watch = (socket, until) => new Promise((resolve) => {
    const log = []
    socket.onopen = () => {
      log.push(['open', socket.readyState, socket.protocol])
      until.open?.(socket)
    }
    socket.onmessage = (event) => {
      const data = typeof event.data === 'string' ? event.data : Array.from(new Uint8Array(event.data))
      log.push(['message', socket.readyState, data, event.origin, event.constructor.name])
      until.message?.(socket)
    }
    socket.onerror = (event) => log.push(['error', socket.readyState, event.constructor.name])
    socket.onclose = (event) => {
      log.push(['close', socket.readyState, event.code, event.reason, event.wasClean, event.constructor.name])
      resolve(log)
    }
  })
  out.refused = await watch(new WebSocket(urls.refused), {})
  const pending = new WebSocket(urls.silent)
  const closing = watch(pending, {})
  pending.close(3000, 'bye')
  out.closeWhileConnecting = [pending.readyState, await closing]
  const echo = new WebSocket(urls.echo)
  echo.binaryType = 'arraybuffer'
  let count = 0
  out.echo = await watch(echo, {
    open: (socket) => {
      socket.send('h\\u00e9')
      socket.send(new Uint8Array([1, 2, 3]))
    },
    message: (socket) => {
      if (++count === 2) socket.close(4000, 'done')
    },
  })
  out.noProtocol = await watch(new WebSocket(urls.noProtocol, ['chat']), {})
  out.otherCase = await watch(new WebSocket(urls.otherCase, ['chat']), {})
  out.withFrames = await watch(new WebSocket(urls.withFrames), {})
  return out
}`

const parity = suite('parity with Chromium')

parity('the same script gives the same outcomes with Chromium and with ours', async () => {
  if (!existsSync(CHROMIUM)) {
    console.log(`  (skipped: no Chromium at ${CHROMIUM})`)
    return
  }
  const { chromium } = await import('playwright-core')
  const echo = await ourServer(
    (connection) => {
      connection.on('text', (event) => connection.sendText(event.data))
      connection.on('binary', (event) => connection.sendBinary(event.data))
    },
    { perMessageDeflate: false },
  )
  const silent = await rawServer(() => {})
  // 101 without the subprotocol offered; with it in another case; with frames in the packet.
  const noProtocol = await rawServer((socket, { key }) => socket.write(switching(key)))
  const otherCase = await rawServer((socket, { key }) =>
    socket.write(switching(key, ['Sec-WebSocket-Protocol: Chat'])),
  )
  const withFrames = await rawServer((socket, { key }) =>
    socket.end(
      Buffer.concat([
        Buffer.from(switching(key), 'latin1'),
        frame(0x1, 'early'),
        frame(0x8, Buffer.from([0x0f, 0xa1])),
      ]),
    ),
  )
  const closed = await rawServer(() => {})
  await closed.close()
  const urls = {
    refused: closed.url,
    silent: silent.url,
    echo: echo.url,
    noProtocol: noProtocol.url,
    otherCase: otherCase.url,
    withFrames: withFrames.url,
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  try {
    const page = await browser.newPage()
    const theirs = await deadline(
      page.evaluate(`(${SCRIPT})(WebSocket, CloseEvent, ${JSON.stringify(urls)})`),
      60000,
      'the script in Chromium',
    )
    const { WebSocket } = nodeClasses({ perMessageDeflate: false })
    // The same source text as the page runs, compiled here.
    const run = new Function(`return (${SCRIPT})`)() as (...args: unknown[]) => Promise<unknown>
    const ours = await deadline(run(WebSocket, defineCloseEvent(), urls), 60000, 'the script with ours')
    const expected = theirs as Record<string, unknown[]>
    const actual = ours as Record<string, unknown[]>
    // Known Chromium deviations, where we follow the Standard and WebIDL instead:
    // - it accepts ['a', 'A']; the web-platform-tests (websockets/
    //   Create-protocols-repeated-case-insensitive.any.js) require a SyntaxError;
    // - it truncates fractional close codes; [Clamp] rounds to the nearest integer, ties to
    //   even: 1000.9 is 1001 and 4999.5 is 5000 (InvalidAccessError), 999.5 is 1000 (accepted);
    // - it keeps a lone surrogate in CloseEvent's reason; the init member is a USVString.
    const deviations: [string, number, unknown, unknown][] = [
      ['protocols', 3, 'ok', 'SyntaxError'],
      ['codes', 1, 2, 'InvalidAccessError'],
      ['codes', 2, 'InvalidAccessError', 2],
      ['codes', 4, 2, 'InvalidAccessError'],
      ['closeEvent', 5, 'a\ud800', 'a\ufffd'],
    ]
    for (const [key, index, chromium, standard] of deviations) {
      const list = expected[key] as unknown[]
      assert.is(list[index], chromium, `Chromium's ${key}[${index}]`)
      list[index] = standard
    }
    for (const key of Object.keys(expected)) assert.equal(actual[key], expected[key], key)
    assert.equal(Object.keys(actual), Object.keys(expected))
  } finally {
    await browser.close()
    await echo.close()
    for (const server of [silent, noProtocol, otherCase, withFrames]) await server.close()
  }
})

parity.run()
