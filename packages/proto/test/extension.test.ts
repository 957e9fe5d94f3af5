import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  ClientHandshake,
  type ClientHandshakeResult,
  type Extension,
  ExtensionError,
  type ExtensionFactory,
  type ExtensionParam,
  ServerHandshake,
  type WebSocketConnection,
} from '../src/index.ts'
import { closedEvent, concat, frame, parseFrames } from './wire.ts'

/**
 * A test-only extension: x-invert XORs every payload byte with a key (default 0xff) and marks
 * inverted messages with RSV1 (or the bits it is given). The `key` parameter is negotiated.
 */
class Invert implements Extension {
  constructor(
    readonly params: ExtensionParam[],
    private readonly key: number,
    readonly rsvBits = 0x40,
    readonly name = 'x-invert',
  ) {}
  startMessage(rsv: number): boolean {
    return (rsv & this.rsvBits) !== 0
  }
  decode(data: Uint8Array, budget: number): Uint8Array[] {
    if (data.length > budget) throw new ExtensionError('X_TOO_BIG', 1009, 'too big')
    // A lone byte that decodes to 0x00 stands for corrupt input.
    if (data.length === 1 && data[0] === this.key) throw new ExtensionError('X_CORRUPT', 1007, 'corrupt')
    return [data.map((byte) => byte ^ this.key)]
  }
  endMessage(): Uint8Array[] {
    return [Uint8Array.of(0x21)] // every decoded message ends with '!'
  }
  encode(data: Uint8Array, first: boolean): { data: Uint8Array; rsv: number } {
    return { data: data.map((byte) => byte ^ this.key), rsv: first ? this.rsvBits : 0 }
  }
}

class InvertFactory implements ExtensionFactory {
  readonly name: string
  offers: ExtensionParam[][] = [[{ name: 'key', value: '15' }], []]
  seen: (readonly (readonly ExtensionParam[])[])[] = []
  constructor(
    private readonly accepting = true,
    readonly rsvBits = 0x40,
    name = 'x-invert',
  ) {
    this.name = name
  }
  offer(): ExtensionParam[][] {
    return this.offers
  }
  acceptResponse(params: readonly ExtensionParam[]): Extension {
    if (params.some((param) => param.name !== 'key')) throw new Error(`unknown parameter ${params[0]?.name}`)
    const key = params.find((param) => param.name === 'key')
    return new Invert([...params], key ? Number(key.value) : 0xff, this.rsvBits, this.name)
  }
  acceptOffer(
    offers: readonly (readonly ExtensionParam[])[],
  ): { params: ExtensionParam[]; extension: Extension } | null {
    this.seen.push(offers)
    if (!this.accepting) return null
    const params = [...(offers[0] ?? [])]
    const key = params.find((param) => param.name === 'key')
    return { params, extension: new Invert(params, key ? Number(key.value) : 0xff, this.rsvBits, this.name) }
  }
}

const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0))
const headerOf = (bytes: Uint8Array, name: string): string | undefined =>
  Buffer.from(bytes)
    .toString('latin1')
    .split('\r\n')
    .find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    ?.slice(name.length + 2)

/** Runs a full in-memory handshake; returns both connections. */
function connect(clientFactories: ExtensionFactory[], serverFactories: ExtensionFactory[]) {
  const client = new ClientHandshake({ url: 'ws://h/', extensions: clientFactories })
  const server = new ServerHandshake({ extensions: serverFactories })
  const request = server.receive(client.request)
  assert.is(request.kind, 'request')
  const { response, connection } = server.accept()
  const opened = client.receive(response)
  return { request: client.request, response, opened, server: connection }
}

const negotiation = suite('9.1 extension negotiation')

negotiation('the client offers, the server accepts its first offer, both sides agree', () => {
  const serverFactory = new InvertFactory()
  const { request, response, opened, server } = connect([new InvertFactory()], [serverFactory])
  assert.is(headerOf(request, 'Sec-WebSocket-Extensions'), 'x-invert; key=15, x-invert')
  assert.is(headerOf(response, 'Sec-WebSocket-Extensions'), 'x-invert; key=15')
  assert.equal(serverFactory.seen, [[[{ name: 'key', value: '15' }], []]])
  assert.is(opened.kind, 'open')
  const client = (opened as { connection: WebSocketConnection }).connection
  assert.equal(
    client.extensions.map((e) => [e.name, e.params]),
    [['x-invert', [{ name: 'key', value: '15' }]]],
  )
  assert.equal(
    server.extensions.map((e) => e.name),
    ['x-invert'],
  )
})

negotiation('messages are transformed both ways, RSV1 only on the first frame', () => {
  const { opened, server } = connect([new InvertFactory()], [new InvertFactory()])
  const client = (opened as { connection: WebSocketConnection }).connection
  client.sendText('hi', false)
  client.sendText('there')
  const wire = concat(...client.takeOutgoing())
  const frames = parseFrames(wire)
  assert.equal(
    frames.map((f) => [f.rsv, f.opcode]),
    [
      [4, 1],
      [0, 0],
    ],
  )
  assert.equal(
    frames[0]?.payload,
    Uint8Array.from(Buffer.from('hi')).map((b) => b ^ 15),
  )
  server.receive(wire)
  assert.equal(server.takeEvents(), [{ type: 'text', data: 'hithere!' }])
  // A message without RSV1 is not decoded by the extension.
  server.sendBinary(Uint8Array.of(1))
  client.receive(frame({ opcode: 2, payload: Uint8Array.of(7) }))
  assert.equal(client.takeEvents(), [{ type: 'binary', data: Uint8Array.of(7) }])
})

negotiation('RSV1 is still a protocol error on control and continuation frames, and RSV2 unclaimed', () => {
  for (const bad of [
    frame({ opcode: 9, rsv: 4, mask: [1, 1, 1, 1] }),
    concat(
      frame({ opcode: 1, fin: false, mask: [1, 1, 1, 1] }),
      frame({ opcode: 0, rsv: 4, mask: [1, 1, 1, 1] }),
    ),
    frame({ opcode: 1, rsv: 2, mask: [1, 1, 1, 1] }),
  ]) {
    const { server } = connect([new InvertFactory()], [new InvertFactory()])
    server.receive(bad)
    assert.is(closedEvent(server.takeEvents()).code, 1002)
  }
})

negotiation('codec errors become close codes; unexpected codec failures become 1011', () => {
  const { server } = connect([new InvertFactory()], [new InvertFactory()])
  server.receive(frame({ opcode: 2, rsv: 4, payload: Uint8Array.of(0x0f), mask: [0, 0, 0, 0] }))
  const closed = closedEvent(server.takeEvents())
  assert.is(closed.code, 1007)
  assert.is(closed.error?.code, 'X_CORRUPT')
  const small = new ServerHandshake({
    extensions: [new InvertFactory()],
    connection: { limits: { maxMessageSize: 3 } },
  })
  small.receive(new ClientHandshake({ url: 'ws://h/', extensions: [new InvertFactory()] }).request)
  const limited = small.accept().connection
  limited.receive(frame({ opcode: 2, rsv: 4, payload: Uint8Array.of(1, 2, 3), mask: [0, 0, 0, 0] }))
  // 3 decoded bytes fit, but the extension's trailing '!' makes 4: 1009.
  assert.is(closedEvent(limited.takeEvents()).code, 1009)
  const broken = connect([new InvertFactory()], [new InvertFactory()]).server
  ;(broken.extensions[0] as Invert).decode = () => {
    throw new RangeError('bug')
  }
  broken.receive(frame({ opcode: 2, rsv: 4, payload: Uint8Array.of(1), mask: [0, 0, 0, 0] }))
  const internal = closedEvent(broken.takeEvents())
  assert.is(internal.code, 1011)
  assert.is(internal.error?.code, 'WS_ERR_EXTENSION_FAILED')
  const brokenEnd = connect([new InvertFactory()], [new InvertFactory()]).server
  ;(brokenEnd.extensions[0] as Invert).endMessage = () => {
    throw new ExtensionError('X_END', 1007, 'bad end')
  }
  brokenEnd.receive(frame({ opcode: 2, rsv: 4, payload: Uint8Array.of(1), mask: [0, 0, 0, 0] }))
  assert.is(closedEvent(brokenEnd.takeEvents()).error?.code, 'X_END')
})

negotiation('a server that declines sends no header, and the client runs without the extension', () => {
  const { response, opened, server } = connect([new InvertFactory()], [new InvertFactory(false)])
  assert.is(headerOf(response, 'Sec-WebSocket-Extensions'), undefined)
  assert.equal((opened as { connection: WebSocketConnection }).connection.extensions, [])
  assert.equal(server.extensions, [])
})

negotiation('two extensions claiming the same RSV bit: the server accepts only the first', () => {
  const { response, server } = connect(
    [new InvertFactory(true, 0x40, 'x-one'), new InvertFactory(true, 0x40, 'x-two')],
    [new InvertFactory(true, 0x40, 'x-one'), new InvertFactory(true, 0x40, 'x-two')],
  )
  assert.is(headerOf(response, 'Sec-WebSocket-Extensions'), 'x-one; key=15')
  assert.equal(
    server.extensions.map((e) => e.name),
    ['x-one'],
  )
})

const clientChecks = suite('9.1 the client checks the server’s choice')

function respond(extensionsHeader: string, factories: ExtensionFactory[]): ClientHandshakeResult {
  const client = new ClientHandshake({ url: 'ws://h/', extensions: factories })
  const server = new ServerHandshake()
  server.receive(client.request)
  const text = Buffer.from(server.accept().response)
    .toString('latin1')
    .replace('\r\n\r\n', `\r\nSec-WebSocket-Extensions: ${extensionsHeader}\r\n\r\n`)
  return client.receive(latin1(text))
}

for (const [header, code, factories] of [
  ['x-other', 'WS_ERR_UNREQUESTED_EXTENSION', [new InvertFactory()]],
  ['x-invert, x-invert', 'WS_ERR_DUPLICATE_EXTENSION', [new InvertFactory()]],
  ['x-invert; bogus=1', 'WS_ERR_EXTENSION_REJECTED', [new InvertFactory()]],
  [
    'x-one, x-two',
    'WS_ERR_EXTENSION_CONFLICT',
    [new InvertFactory(true, 0x40, 'x-one'), new InvertFactory(true, 0x40, 'x-two')],
  ],
  ['x-invert; key="', 'WS_ERR_INVALID_EXTENSIONS', [new InvertFactory()]],
] as const) {
  clientChecks(`response '${header}' fails with ${code}`, () => {
    const result = respond(header, [...factories])
    assert.is(result.kind, 'failed')
    if (result.kind === 'failed') assert.is(result.error.code, code)
  })
}

clientChecks('extension names are matched case-insensitively', () => {
  const result = respond('X-Invert; key=3', [new InvertFactory()])
  assert.is(result.kind, 'open')
})

negotiation.run()
clientChecks.run()
