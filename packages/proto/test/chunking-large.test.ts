/**
 * Chunking invariance for large masked messages, the path where binary payload stays masked
 * until it is joined (unmasked while copied) or handed out whole (unmasked in place): random
 * streams of binary and text messages up to 70 KB, fragmented or not, with pings between
 * fragments, fed whole, in random pieces of up to 64 KiB at random byte alignments, and byte by
 * byte, under both masking kernels and with a custom allocator. Every run must deliver exactly
 * the messages that were framed (built here, independently of src/).
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Random } from '../../crypto/test/random.ts'
import { WebSocketConnection, type WebSocketEvent } from '../src/index.ts'
import { setMaskingKernel } from '../src/mask.ts'
import { concat, frame, hex, utf8 } from './wire.ts'

interface Sent {
  stream: Uint8Array
  /** The message events expected, as `type:hex`. */
  messages: string[]
  /** The events expected with `messageFragments`, pings included, in stream order. */
  fragments: string[]
}

function randomMessages(random: Random): Sent {
  const frames: Uint8Array[] = []
  const messages: string[] = []
  const fragments: string[] = []
  const key = (): number[] => [random.below(256), random.below(256), random.below(256), random.below(256)]
  for (let count = 1 + random.below(5); count > 0; count--) {
    const text = random.below(4) === 0
    const size = [random.below(600), random.below(5000), random.below(70000)][random.below(3)] as number
    const payload = text ? utf8('é€😀a'.repeat(Math.ceil(size / 10)).slice(0, size)) : random.bytes(size)
    const parts = 1 + random.below(4)
    let offset = 0
    for (let part = 0; part < parts; part++) {
      const last = part === parts - 1
      const end = last ? payload.length : offset + random.below(payload.length - offset + 1)
      const data = payload.subarray(offset, end)
      frames.push(frame({ opcode: part === 0 ? (text ? 1 : 2) : 0, fin: last, payload: data, mask: key() }))
      fragments.push(`fragment:${text ? 'text' : 'binary'}:${part === 0}:${last}:${hex(data)}`)
      if (!last && random.below(3) === 0) {
        const ping = random.bytes(random.below(126))
        frames.push(frame({ opcode: 9, payload: ping, mask: key() }))
        fragments.push(`ping:${hex(ping)}`)
      }
      offset = end
    }
    messages.push(`${text ? 'text' : 'binary'}:${hex(payload)}`)
  }
  return { stream: concat(...frames), messages, fragments }
}

/** Feeds `pieces`, each copied to a random byte alignment, and describes every event. */
function feed(
  pieces: readonly Uint8Array[],
  random: Random,
  fragmentsMode: boolean,
  allocate: boolean,
): string[] {
  const connection = new WebSocketConnection({
    role: 'server',
    messageFragments: fragmentsMode,
    limits: { maxMessageSize: 1 << 20 },
    ...(allocate ? { allocate: (size: number) => new Uint8Array(size + 5).fill(0xa5).subarray(5) } : {}),
  })
  const out: string[] = []
  const describe = (event: WebSocketEvent): string => {
    if (event.type === 'binary') return `binary:${hex(event.data)}`
    if (event.type === 'text') return `text:${hex(utf8(event.data))}`
    if (event.type === 'ping') return `ping:${hex(event.data)}`
    if (event.type === 'fragment')
      return `fragment:${event.kind}:${event.first}:${event.last}:${hex(event.data)}`
    return event.type
  }
  for (const piece of pieces) {
    const shift = random.below(4)
    const copy = new Uint8Array(piece.length + shift).subarray(shift)
    copy.set(piece)
    connection.receive(copy)
    for (const event of connection.takeEvents()) out.push(describe(event))
  }
  return out
}

function chunkingsOf(stream: Uint8Array, random: Random): Uint8Array[][] {
  const variants = [
    [stream],
    random.chunks(stream, 65536),
    random.chunks(stream, 3000),
    random.chunks(stream, 40),
  ]
  if (stream.length < 40000) variants.push(Array.from(stream, (_, i) => stream.subarray(i, i + 1)))
  return variants
}

const property = suite('chunking invariance, large masked messages')

for (const kernel of ['wasm', 'typescript'] as const) {
  for (const allocate of [false, true]) {
    property(
      `${kernel} kernel${allocate ? ', custom allocator' : ''}: 40 random streams, every chunking`,
      () => {
        assert.is(setMaskingKernel(kernel), kernel)
        for (let seed = 1; seed <= 40; seed++) {
          const random = new Random(seed)
          const sent = randomMessages(random)
          const expectedWhole = sent.fragments
            .filter((entry) => entry.startsWith('ping:'))
            .concat(sent.messages)
          for (const pieces of chunkingsOf(sent.stream, random)) {
            const whole = feed(pieces, random, false, allocate)
            // Pings come as they arrive; messages in order. Compare each kind in order.
            assert.equal(
              whole.filter((entry) => !entry.startsWith('ping:')),
              sent.messages,
              `seed ${seed}, ${pieces.length} pieces`,
            )
            assert.equal(whole.sort(), [...expectedWhole].sort(), `seed ${seed}`)
            assert.equal(feed(pieces, random, true, allocate), sent.fragments, `seed ${seed}, fragments`)
          }
        }
        setMaskingKernel('wasm')
      },
    )
  }
}

property.run()
