/**
 * The handshake targets: `ServerHandshake` fed request bytes and `ClientHandshake` fed response
 * bytes, each followed by frames that go to the connection it opens. Heads are generated valid
 * from a seed, then mutated line by line (duplicated, dropped, overlong, CR/LF/NUL inside, obsolete
 * folding, bare LF, many fields, odd start lines, extension parameters named `__proto__` or
 * `constructor`, window bits out of range) and byte by byte.
 */
import { createHash } from 'node:crypto'
import {
  ClientHandshake,
  type ClientHandshakeResult,
  HandshakeError,
  type HttpHeadLimits,
  PerMessageDeflate,
  type PerMessageDeflateOptions,
  ServerHandshake,
  type ServerHandshakeResult,
  WEBSOCKET_GUID,
} from '@ws/proto'
import { type FuzzTarget, type Value, violation } from './check.ts'
import { ConnectionDriver, connectionVariant, fixedRandomFill } from './drive.ts'
import { generateFrameStream } from './frames.ts'
import { bytesToLatin1, concat, latin1Bytes, mutateBytesRepeatedly } from './mutate.ts'
import type { Rng } from './rng.ts'

export interface Head {
  startLine: string
  /** Fields; a null value writes the name alone, as a line without a colon. */
  headers: [string, string | null][]
  lineEnd: string
  leadingEmptyLines: number
}

export function encodeHead(head: Head): Uint8Array {
  const lines = [
    head.startLine,
    ...head.headers.map(([name, value]) => (value === null ? name : `${name}: ${value}`)),
    '',
    '',
  ]
  return latin1Bytes(head.lineEnd.repeat(head.leadingEmptyLines) + lines.join(head.lineEnd))
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const RESPONSE_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+: [\x20-\x7e]*$/

const EXTENSION_NAMES = [
  'permessage-deflate',
  'permessage-deflate',
  'PerMessage-Deflate',
  'x-webkit-deflate-frame',
  '__proto__',
  'constructor',
]
const PARAM_NAMES = [
  'server_no_context_takeover',
  'client_no_context_takeover',
  'server_max_window_bits',
  'client_max_window_bits',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
]
const PARAM_VALUES = [
  '8',
  '9',
  '10',
  '12',
  '15',
  '7',
  '16',
  '0',
  '08',
  '+9',
  '-1',
  '1e1',
  '9.0',
  '99999999999999999999',
  '"10"',
  '"1\\0"',
  '""',
  'abc',
  '"__proto__"',
  '"a b"',
]

/** A Sec-WebSocket-Extensions value from a pool of names, parameters and values, good and bad. */
export function fuzzyExtensions(rng: Rng): string {
  const items: string[] = []
  for (let count = rng.range(1, 3); count > 0; count--) {
    const parts = [rng.pick(EXTENSION_NAMES)]
    for (let params = rng.int(5); params > 0; params--) {
      const name = rng.pick(PARAM_NAMES)
      parts.push(rng.chance(0.4) ? name : `${name}${rng.pick(['=', ' = ', '='])}${rng.pick(PARAM_VALUES)}`)
    }
    items.push(parts.join(rng.pick(['; ', ';', ' ; '])))
  }
  return items.join(rng.pick([', ', ',', ' ,, ']))
}

const CONTROL_CHARACTERS = ['\r', '\n', '\0', '\x01', '\x7f', '\r\n', '\t', '\x85', '\xff']

export const HEAD_MUTATIONS = [
  'duplicate-header',
  'drop-header',
  'overlong-line',
  'control-character',
  'obsolete-folding',
  'space-before-colon',
  'no-colon',
  'empty-name',
  'many-headers',
  'bare-lf',
  'leading-empty-lines',
  'many-spaces',
  'change-case',
  'start-line',
  'extension-params',
  'protocol-list',
] as const
export type HeadMutation = (typeof HEAD_MUTATIONS)[number]

function insertAt(text: string, at: number, inserted: string): string {
  return text.slice(0, at) + inserted + text.slice(at)
}

function randomCase(rng: Rng, text: string): string {
  let out = ''
  for (const character of text) out += rng.chance(0.5) ? character.toUpperCase() : character.toLowerCase()
  return out
}

/** Applies one line-level mutation to `head` (in place). */
export function mutateHead(
  rng: Rng,
  head: Head,
  startLines: readonly string[],
  kind: HeadMutation = rng.pick(HEAD_MUTATIONS),
): void {
  const headers = head.headers
  const index = rng.int(Math.max(1, headers.length))
  const field = headers[index]
  switch (kind) {
    case 'duplicate-header':
      if (field) headers.splice(index, 0, [field[0], rng.chance(0.5) ? field[1] : `${field[1] ?? ''}x`])
      return
    case 'drop-header':
      headers.splice(index, 1)
      return
    case 'overlong-line':
      headers.splice(index, 0, ['X-Long', 'a'.repeat(rng.range(1000, 17000))])
      return
    case 'control-character':
      if (field) {
        const inserted = rng.pick(CONTROL_CHARACTERS)
        if (rng.chance(0.5) || field[1] === null)
          field[0] = insertAt(field[0], rng.int(field[0].length + 1), inserted)
        else field[1] = insertAt(field[1], rng.int(field[1].length + 1), inserted)
      }
      return
    case 'obsolete-folding':
      if (field) field[1] = `${field[1] ?? ''}${head.lineEnd}${rng.pick([' ', '\t'])}continued`
      return
    case 'space-before-colon':
      if (field) field[0] = `${field[0]}${rng.pick([' ', '\t'])}`
      return
    case 'no-colon':
      if (field) headers[index] = [`${field[0]} ${field[1]}`, null]
      return
    case 'empty-name':
      headers.splice(index, 0, ['', 'value'])
      return
    case 'many-headers':
      for (let count = rng.range(90, 110); count > 0; count--) headers.push([`X-Filler-${count}`, 'v'])
      return
    case 'bare-lf':
      head.lineEnd = '\n'
      return
    case 'leading-empty-lines':
      head.leadingEmptyLines = rng.range(1, 6)
      return
    case 'many-spaces':
      if (field) field[1] = rng.pick([' ', '\t', ' \t']).repeat(rng.range(100, 9000)) + (field[1] ?? '')
      return
    case 'change-case':
      if (field) {
        field[0] = randomCase(rng, field[0])
        field[1] = randomCase(rng, field[1] ?? '')
      }
      return
    case 'start-line':
      head.startLine = rng.pick(startLines)
      return
    case 'extension-params':
      headers.push(['Sec-WebSocket-Extensions', fuzzyExtensions(rng)])
      return
    case 'protocol-list':
      headers.push([
        'Sec-WebSocket-Protocol',
        rng.pick([
          'chat',
          'chat, chat',
          ',',
          'chat,,superchat',
          'ch at',
          '"chat"',
          '',
          'superchat, chat',
          'x'.repeat(300),
        ]),
      ])
      return
  }
}

function finishHead(rng: Rng, head: Head, startLines: readonly string[], trailing: Uint8Array): Uint8Array {
  if (rng.chance(0.5)) {
    for (let count = rng.range(1, 2); count > 0; count--) mutateHead(rng, head, startLines)
  }
  let bytes = concat([encodeHead(head), trailing])
  if (rng.chance(0.25)) bytes = mutateBytesRepeatedly(rng, bytes, 0, trailing)
  return bytes
}

/** The default limit of an HTTP head (and the empty lines before it), in bytes. */
const DEFAULT_HEAD_BYTES = 16384

/**
 * A handshake still waiting for the end of the head may hold at most the head limit: past it,
 * it must have answered (431, or a failed client handshake) instead of buffering more.
 */
export function checkHeadBuffered(bytes: number, limit: number): void {
  if (bytes > limit) violation(`${bytes} bytes of head buffered without a verdict (limit ${limit})`)
}

function isToken(text: string): boolean {
  return TOKEN.test(text)
}

/** Checks the head of a response the core built: status line, then `Name: value` lines only. */
export function checkResponseHead(response: Uint8Array, status: number): { head: string; body: string } {
  const text = bytesToLatin1(response)
  const end = text.indexOf('\r\n\r\n')
  if (end < 0) violation('a response without the blank line')
  const lines = text.slice(0, end).split('\r\n')
  const startLine = lines[0] as string
  if (!startLine.startsWith(`HTTP/1.1 ${status} `))
    violation(`response starts with ${JSON.stringify(startLine)}`)
  for (const line of lines.slice(1)) {
    if (!RESPONSE_LINE.test(line)) violation(`response header line ${JSON.stringify(line.slice(0, 80))}`)
  }
  return { head: text.slice(0, end), body: text.slice(end + 4) }
}

function expectedAccept(key: string): string {
  return createHash('sha1')
    .update(key + WEBSOCKET_GUID)
    .digest('base64')
}

// ---------------------------------------------------------------------------------------------
// The server handshake.

const REQUEST_LINES = [
  'GET /chat HTTP/1.1',
  'POST /chat HTTP/1.1',
  'get /chat HTTP/1.1',
  'GET * HTTP/1.1',
  'GET ws://server.example.com/x?y HTTP/1.1',
  'GET http://h?x HTTP/1.1',
  'GET https:///x HTTP/1.1',
  'GET /chat HTTP/1.0',
  'GET /chat HTTP/2.0',
  'GET /chat HTTP/1.12',
  'GET  /chat HTTP/1.1',
  'GET /chat HTTP/1.1 ',
  'GET /c\0 HTTP/1.1',
  'GET /chat',
  '',
  'GET /%ZZ?\xff HTTP/1.1',
]
const SERVER_LIMITS: Partial<HttpHeadLimits> = { maxLineBytes: 1024, maxHeaders: 20, maxHeadBytes: 4096 }
const SERVER_DEFLATE = new PerMessageDeflate()
const REJECT_STATUSES = new Set([400, 405, 426, 431, 505])

export function generateRequest(rng: Rng): Uint8Array {
  const key = Buffer.from(rng.bytes(rng.chance(0.9) ? 16 : rng.pick([0, 15, 17]))).toString('base64')
  const headers: [string, string | null][] = [
    ['Host', rng.chance(0.95) ? rng.pick(['server.example.com', 'server.example.com:8080', '[::1]:9']) : ''],
    ['Upgrade', rng.pick(['websocket', 'websocket', 'WebSocket', 'h2c, websocket', 'websocket/13', 'foo'])],
    ['Connection', rng.pick(['Upgrade', 'Upgrade', 'keep-alive, Upgrade', 'upgrade', 'close'])],
    [
      'Sec-WebSocket-Key',
      rng.chance(0.9) ? key : rng.pick(['', 'AAAA', `${key}=`, key.replace(/=/g, ''), '!'.repeat(24)]),
    ],
    ['Sec-WebSocket-Version', rng.chance(0.9) ? '13' : rng.pick(['8', '13, 8', '', '013'])],
  ]
  if (rng.chance(0.5)) headers.push(['Origin', 'http://example.com'])
  if (rng.chance(0.5))
    headers.push(['Sec-WebSocket-Protocol', rng.pick(['chat', 'chat, superchat', 'superchat'])])
  if (rng.chance(0.6)) {
    headers.push([
      'Sec-WebSocket-Extensions',
      rng.pick([
        'permessage-deflate',
        'permessage-deflate; client_max_window_bits',
        'permessage-deflate; client_max_window_bits=10; server_max_window_bits=9',
        'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
        'x-unknown, permessage-deflate; client_max_window_bits',
      ]),
    ])
  }
  for (let index = headers.length - 1; index > 0; index--) {
    if (rng.chance(0.2)) {
      const other = rng.int(index + 1)
      const swap = headers[index] as [string, string | null]
      headers[index] = headers[other] as [string, string | null]
      headers[other] = swap
    }
  }
  const head: Head = { startLine: 'GET /chat?x=1 HTTP/1.1', headers, lineEnd: '\r\n', leadingEmptyLines: 0 }
  // Frames from the client; compressed ones use an 8-bit window, which every agreement allows.
  const trailing = rng.chance(0.5)
    ? generateFrameStream(rng, { masked: true, deflate: { windowBits: 8, noContextTakeover: false } })
    : new Uint8Array(0)
  return finishHead(rng, head, REQUEST_LINES, trailing)
}

export function recordRequest(result: Extract<ServerHandshakeResult, { kind: 'request' }>): Value {
  const request = result.request
  if (request.method !== 'GET') violation(`a request with method ${request.method} was accepted`)
  if (request.key.length !== 24 || Buffer.from(request.key, 'base64').length !== 16) {
    violation(`a request with key ${JSON.stringify(request.key)} was accepted`)
  }
  if (request.host === '') violation('a request without a host was accepted')
  if (!request.resource.startsWith('/')) violation(`resource ${request.resource}`)
  for (const protocol of request.protocols) if (!isToken(protocol)) violation(`subprotocol ${protocol}`)
  const extensions: Value[] = []
  for (const item of request.extensions) {
    if (!isToken(item.name) || item.name !== item.name.toLowerCase()) violation(`extension name ${item.name}`)
    const params: Value[] = []
    for (const param of item.params) {
      if (!isToken(param.name)) violation(`extension parameter name ${param.name}`)
      if (param.value !== null && !isToken(param.value)) violation(`extension parameter value ${param.value}`)
      params.push([param.name, param.value])
    }
    extensions.push([item.name, params])
  }
  const headers: Value[] = []
  for (const [name, value] of request.headers.entries) {
    if (/[\r\n\0]/.test(name + value)) violation('a header with CR, LF or NUL was accepted')
    headers.push([name, value])
  }
  return {
    target: request.target,
    resource: request.resource,
    host: request.host,
    origin: request.origin,
    key: request.key,
    protocols: [...request.protocols],
    extensions,
    headers,
  }
}

export const serverHandshakeTarget: FuzzTarget = {
  name: 'handshake-server',
  generate(rng: Rng): Uint8Array {
    const config = rng.bytes(1)
    if (rng.chance(0.1)) return concat([config, rng.bytes(rng.size([16, 256, 4096]))])
    return concat([config, generateRequest(rng)])
  },
  run(input: Uint8Array, cuts: readonly number[]): Value {
    const config = input[0] ?? 0
    const variant = connectionVariant(config >> 2)
    const headLimit = (config & 2) !== 0 ? (SERVER_LIMITS.maxHeadBytes as number) : DEFAULT_HEAD_BYTES
    const handshake = new ServerHandshake({
      extensions: config & 1 ? [SERVER_DEFLATE] : [],
      ...((config & 2) !== 0 && { handshakeLimits: SERVER_LIMITS }),
      connection: variant,
    })
    let outcome: Value = { kind: 'incomplete' }
    const state: { driver: ConnectionDriver | null } = { driver: null }
    let done = false
    let headBytes = 0
    const feed = (chunk: Uint8Array): void => {
      if (state.driver !== null) {
        state.driver.receive(chunk)
        return
      }
      if (done) return
      const result = handshake.receive(chunk)
      headBytes += chunk.length
      if (result.kind === 'incomplete') {
        checkHeadBuffered(headBytes, headLimit)
        return
      }
      done = true
      if (result.kind === 'rejected') {
        if (!(result.error instanceof HandshakeError)) violation('rejected without a HandshakeError')
        const status = result.error.httpStatus ?? 0
        if (!REJECT_STATUSES.has(status)) violation(`rejected with status ${status}`)
        const { head, body } = checkResponseHead(result.response, status)
        if (!`${head}\r\n`.includes(`\r\nContent-Length: ${body.length}\r\n`))
          violation('Content-Length is wrong')
        outcome = { kind: 'rejected', code: result.error.code, response: result.response }
        return
      }
      const request = recordRequest(result)
      const protocol = result.request.protocols[0]
      const accepted = handshake.accept(protocol === undefined ? {} : { protocol })
      const { head } = checkResponseHead(accepted.response, 101)
      if (!`${head}\r\n`.includes(`\r\nSec-WebSocket-Accept: ${expectedAccept(result.request.key)}\r\n`)) {
        violation('the 101 response does not carry the right Sec-WebSocket-Accept')
      }
      state.driver = new ConnectionDriver(accepted.connection, variant.messageFragments, chunk.length)
      outcome = { kind: 'request', request, response: accepted.response }
    }
    let start = Math.min(1, input.length)
    for (const cut of cuts) {
      if (cut > start) {
        feed(input.subarray(start, cut))
        start = cut
      }
    }
    feed(input.subarray(start))
    return state.driver === null ? outcome : { ...outcome, connection: state.driver.finish() }
  },
}

// ---------------------------------------------------------------------------------------------
// The client handshake.

const CLIENT_URL = 'ws://server.example.com/chat'
const CLIENT_DEFLATE: readonly (PerMessageDeflateOptions | null)[] = [
  null,
  {},
  { serverNoContextTakeover: true, serverMaxWindowBits: 10 },
  { clientMaxWindowBits: 9, clientNoContextTakeover: true },
]
const CLIENT_FACTORIES = CLIENT_DEFLATE.map((options) =>
  options === null ? [] : [new PerMessageDeflate(options)],
)
/** The key is the same in every run: the random source is fixed. */
export const CLIENT_ACCEPT = /* @__PURE__ */ expectedAccept(
  new ClientHandshake({ url: CLIENT_URL, randomFill: fixedRandomFill() }).key,
)
const STATUS_LINES = [
  'HTTP/1.1 101 Switching Protocols',
  'HTTP/1.1 101',
  'HTTP/1.1 101 ',
  'HTTP/1.0 101 Switching Protocols',
  'HTTP/1.1 200 OK',
  'HTTP/1.1 100 Continue',
  'HTTP/2 101',
  'HTTP/1.1 1O1 X',
  'http/1.1 101 x',
  'HTTP/1.1 101 Switching\tProtocols',
  'HTTP/1.1 999 x',
  'HTTP/1.1 101 \x80\xff',
  'HTTP/1.1 101 a\0b',
]
const CLIENT_CODES = new Set([
  'WS_ERR_INVALID_RESPONSE',
  'WS_ERR_UNEXPECTED_STATUS',
  'WS_ERR_INVALID_UPGRADE',
  'WS_ERR_INVALID_CONNECTION',
  'WS_ERR_INVALID_ACCEPT',
  'WS_ERR_INVALID_PROTOCOL',
  'WS_ERR_UNREQUESTED_PROTOCOL',
  'WS_ERR_INVALID_EXTENSIONS',
  'WS_ERR_UNREQUESTED_EXTENSION',
  'WS_ERR_DUPLICATE_EXTENSION',
  'WS_ERR_EXTENSION_REJECTED',
  'WS_ERR_EXTENSION_CONFLICT',
])

export function generateResponse(rng: Rng, config: number): Uint8Array {
  const deflate = CLIENT_DEFLATE[(config >> 1) & 3]
  const headers: [string, string | null][] = [
    ['Upgrade', rng.pick(['websocket', 'websocket', 'WebSocket', 'websocket, h2c', 'foo'])],
    ['Connection', rng.pick(['Upgrade', 'Upgrade', 'upgrade, keep-alive', 'close'])],
    [
      'Sec-WebSocket-Accept',
      rng.chance(0.9) ? CLIENT_ACCEPT : rng.pick(['', 'AAAA', CLIENT_ACCEPT.toLowerCase()]),
    ],
  ]
  if (config & 1 && rng.chance(0.6)) headers.push(['Sec-WebSocket-Protocol', rng.pick(['chat', 'superchat'])])
  let serverBits = 15
  let compressed = false
  if (deflate !== null && deflate !== undefined && rng.chance(0.7)) {
    const params = ['permessage-deflate']
    if (deflate.serverNoContextTakeover || rng.chance(0.3)) params.push('server_no_context_takeover')
    if (rng.chance(0.3)) params.push('client_no_context_takeover')
    if (deflate.serverMaxWindowBits !== undefined || rng.chance(0.4)) {
      serverBits = rng.range(8, deflate.serverMaxWindowBits ?? 15)
      params.push(`server_max_window_bits=${serverBits}`)
    }
    if (rng.chance(0.3))
      params.push(`client_max_window_bits=${rng.range(8, deflate.clientMaxWindowBits ?? 15)}`)
    headers.push(['Sec-WebSocket-Extensions', params.join('; ')])
    compressed = true
  }
  const head: Head = { startLine: STATUS_LINES[0] as string, headers, lineEnd: '\r\n', leadingEmptyLines: 0 }
  const trailing = rng.chance(0.5)
    ? generateFrameStream(rng, {
        masked: false,
        deflate: compressed ? { windowBits: serverBits, noContextTakeover: false } : null,
      })
    : new Uint8Array(0)
  return finishHead(rng, head, STATUS_LINES, trailing)
}

export function recordOpen(
  result: Extract<ClientHandshakeResult, { kind: 'open' }>,
  offered: boolean,
): Value {
  const { response, connection } = result
  if (response.status !== 101) violation(`opened on status ${response.status}`)
  const accepts = response.headers.filter(([name]) => name.toLowerCase() === 'sec-websocket-accept')
  if (accepts.length !== 1 || accepts[0]?.[1] !== CLIENT_ACCEPT)
    violation('opened without the right accept value')
  if (connection.protocol !== '' && !(offered && ['chat', 'superchat'].includes(connection.protocol))) {
    violation(`opened with subprotocol ${connection.protocol}, not offered`)
  }
  return {
    kind: 'open',
    status: response.status,
    statusText: response.statusText,
    headers: response.headers.map(([name, value]) => [name, value]),
    protocol: connection.protocol,
    extensions: connection.extensions.map((extension) => [
      extension.name,
      extension.params.map((param) => [param.name, param.value]),
    ]),
  }
}

export const clientHandshakeTarget: FuzzTarget = {
  name: 'handshake-client',
  generate(rng: Rng): Uint8Array {
    const config = rng.bytes(1)
    if (rng.chance(0.1)) return concat([config, rng.bytes(rng.size([16, 256, 4096]))])
    return concat([config, generateResponse(rng, config[0] as number)])
  },
  run(input: Uint8Array, cuts: readonly number[]): Value {
    const config = input[0] ?? 0
    const variant = connectionVariant(config >> 3)
    const offered = (config & 1) !== 0
    const headLimit = DEFAULT_HEAD_BYTES
    const handshake = new ClientHandshake({
      url: CLIENT_URL,
      protocols: offered ? ['chat', 'superchat'] : [],
      extensions: CLIENT_FACTORIES[(config >> 1) & 3] ?? [],
      randomFill: fixedRandomFill(),
      connection: variant,
    })
    let outcome: Value = { kind: 'incomplete' }
    const state: { driver: ConnectionDriver | null } = { driver: null }
    let done = false
    let headBytes = 0
    const feed = (chunk: Uint8Array): void => {
      if (state.driver !== null) {
        state.driver.receive(chunk)
        return
      }
      if (done) return
      const result = handshake.receive(chunk)
      headBytes += chunk.length
      if (result.kind === 'incomplete') {
        checkHeadBuffered(headBytes, headLimit)
        return
      }
      done = true
      if (result.kind === 'failed') {
        const error = result.error
        if (!(error instanceof HandshakeError) || !CLIENT_CODES.has(error.code)) {
          violation(`failed with ${String(error)} (${(error as { code?: string }).code})`)
        }
        const response = error.response
        outcome = {
          kind: 'failed',
          code: error.code,
          response: response
            ? [response.status, response.statusText, response.headers.map((h) => [...h])]
            : null,
        }
        return
      }
      outcome = recordOpen(result, offered)
      state.driver = new ConnectionDriver(result.connection, variant.messageFragments, chunk.length)
    }
    let start = Math.min(1, input.length)
    for (const cut of cuts) {
      if (cut > start) {
        feed(input.subarray(start, cut))
        start = cut
      }
    }
    feed(input.subarray(start))
    return state.driver === null ? outcome : { ...outcome, connection: state.driver.finish() }
  },
}
