/** Deterministic corpora for the compression benchmarks: English-like text and a JSON array of varied objects. */

const WORDS = (
  'the of and to in is was that for it with as his on be at by had are but from or have an they which one ' +
  'you were her all she there would their we him been has when who will more no if out so said what up its ' +
  'about into than them can only other new some could time these two may then do first any my now such like ' +
  'our over man me even most made after also did many before must through back years where much your way ' +
  'well down should because each just those people how too little state good very make world still own see ' +
  'message frame socket server client window compression protocol extension header payload buffer stream'
).split(' ')

/** xorshift32, seeded: the same corpus on every run. */
function generator(seed: number): (bound: number) => number {
  let state = seed >>> 0 || 0x9e3779b9
  return (bound) => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state % bound
  }
}

export function textCorpus(size: number): Uint8Array {
  const below = generator(1)
  const parts: string[] = []
  let length = 0
  let sentence = 0
  while (length < size) {
    const count = 4 + below(14)
    const words: string[] = []
    for (let i = 0; i < count; i++) {
      const word = WORDS[below(WORDS.length)] as string
      words.push(i === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : below(9) === 0 ? `${word},` : word)
    }
    const line = `${words.join(' ')}${below(6) === 0 ? '?' : '.'}${++sentence % 5 === 0 ? '\n\n' : ' '}`
    parts.push(line)
    length += line.length
  }
  return new TextEncoder().encode(parts.join('').slice(0, size))
}

export function jsonCorpus(size: number): Uint8Array {
  const below = generator(2)
  const word = (): string => WORDS[below(WORDS.length)] as string
  const items: string[] = []
  let length = 2
  while (length < size) {
    const item = JSON.stringify({
      id: 100000 + below(900000),
      name: `${word()} ${word()}`,
      email: `${word()}.${word()}${below(100)}@example.${below(2) ? 'com' : 'org'}`,
      active: below(2) === 1,
      score: below(1000000) / 100,
      tags: Array.from({ length: below(5) }, word),
      created: new Date(1.6e12 + below(1e9) * 60).toISOString(),
      address: { street: `${below(999)} ${word()} street`, zip: String(10000 + below(89999)) },
    })
    items.push(item)
    length += item.length + 1
  }
  return new TextEncoder().encode(`[${items.join(',')}]`.slice(0, size))
}

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy']
const KINDS = ['chat.message', 'presence.update', 'order.created', 'order.updated', 'metrics.sample']

/** One realistic event object: a chat line, a presence change, an order or a metrics sample. */
function event(below: (bound: number) => number, sequence: number): Record<string, unknown> {
  const word = (): string => WORDS[below(WORDS.length)] as string
  const kind = KINDS[below(KINDS.length)] as string
  const base = {
    type: kind,
    seq: sequence,
    ts: new Date(1.7e12 + sequence * 1337 + below(1000)).toISOString(),
    user: { id: 1000 + below(9000), name: USERS[below(USERS.length)], online: below(2) === 1 },
  }
  if (kind === 'chat.message')
    return { ...base, room: `#${word()}`, text: Array.from({ length: 3 + below(12) }, word).join(' ') }
  if (kind === 'presence.update') return { ...base, status: below(2) ? 'away' : 'active', device: word() }
  if (kind === 'metrics.sample')
    return { ...base, cpu: below(10000) / 100, memory: below(1 << 30), latencyMs: below(50000) / 100 }
  return {
    ...base,
    order: {
      id: `ord_${(below(1 << 30) >>> 0).toString(36)}`,
      items: 1 + below(5),
      total: below(100000) / 100,
    },
    currency: below(3) ? 'EUR' : 'USD',
  }
}

/**
 * `count` distinct JSON messages of about `size` bytes each (within a few per cent): one event
 * object for small sizes, else a batch of them. Deterministic for a given seed.
 */
export function jsonMessages(count: number, size: number, seed = 3): string[] {
  const below = generator(seed)
  const messages: string[] = []
  let sequence = 0
  while (messages.length < count) {
    const first = event(below, ++sequence)
    let message = JSON.stringify(first)
    if (message.length < size * 0.7) {
      const items = [first]
      while (JSON.stringify({ type: 'batch', items }).length < size * 0.9)
        items.push(event(below, ++sequence))
      message = JSON.stringify({ type: 'batch', items })
    }
    if (message.length >= size * 0.6 && message.length <= size * 1.4) messages.push(message)
  }
  return messages
}
