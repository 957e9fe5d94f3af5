/** Deterministic test corpora: English-like text from a word list, and JSON arrays of varied objects. */
import { Random } from '../../crypto/test/random.ts'

const WORDS = (
  'the of and to in is was that for it with as his on be at by had are but from or have an they which one ' +
  'you were her all she there would their we him been has when who will more no if out so said what up its ' +
  'about into than them can only other new some could time these two may then do first any my now such like ' +
  'our over man me even most made after also did many before must through back years where much your way ' +
  'well down should because each just those people how too little state good very make world still own see ' +
  'men work long get here between both life being under never day same another know while last might us great ' +
  'old year off come since against go came right used take three message frame socket server client window ' +
  'compression protocol extension header payload buffer stream connection handshake'
).split(' ')

export function textCorpus(size: number, seed = 1): Uint8Array {
  const random = new Random(seed)
  let text = ''
  let sentence = 0
  while (text.length < size) {
    const words = 4 + random.below(14)
    let line = ''
    for (let i = 0; i < words; i++) {
      let word = WORDS[random.below(WORDS.length)] as string
      if (i === 0) word = word[0]?.toUpperCase() + word.slice(1)
      line += (i === 0 ? '' : random.below(9) === 0 ? ', ' : ' ') + word
    }
    text += `${line}${random.below(6) === 0 ? '?' : '.'}${++sentence % 5 === 0 ? '\n\n' : ' '}`
  }
  return new TextEncoder().encode(text.slice(0, size))
}

export function jsonCorpus(size: number, seed = 2): Uint8Array {
  const random = new Random(seed)
  const word = (): string => WORDS[random.below(WORDS.length)] as string
  const items: unknown[] = []
  let length = 2
  while (length < size) {
    const item = {
      id: 100000 + random.below(900000),
      name: `${word()} ${word()}`,
      email: `${word()}.${word()}${random.below(100)}@example.${random.below(2) ? 'com' : 'org'}`,
      active: random.below(2) === 1,
      score: Math.round(random.below(1000000) / 100) / 100,
      tags: Array.from({ length: random.below(5) }, word),
      created: new Date(1.6e12 + random.below(1e9) * 60).toISOString(),
      address: { street: `${random.below(999)} ${word()} street`, zip: String(10000 + random.below(89999)) },
      ...(random.below(3) === 0 ? { note: `${word()} ${word()} ${word()} ${word()}` } : {}),
    }
    const json = JSON.stringify(item)
    items.push(item)
    length += json.length + 1
  }
  return new TextEncoder().encode(JSON.stringify(items).slice(0, size))
}
