// The compression corpora of families 12 and 13, generated from fixed seeds so that nothing is
// downloaded and every run sends the same bytes. Each stands in for one of Autobahn's test data
// files, with its size and its kind of content: JSON and HTML sent as text, a grey-scale BMP, a
// German text sent as binary, and a PDF-like mix of text and incompressible streams.

export interface Corpus {
  name: string
  description: string
  binary: boolean
  data: Uint8Array
}

/** A small deterministic generator (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const encoder = new TextEncoder()

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T
}

/** Text built piece by piece until it has `size` bytes; cut at a character boundary and padded with spaces. */
function textOf(size: number, next: () => string): Uint8Array {
  const parts: string[] = []
  let length = 0
  while (length < size) {
    const piece = next()
    parts.push(piece)
    length += encoder.encode(piece).length
  }
  const bytes = encoder.encode(parts.join(''))
  let end = size
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--
  const out = new Uint8Array(size).fill(0x20)
  out.set(bytes.subarray(0, end))
  return out
}

const words = [
  'alpha',
  'beta',
  'gamma',
  'delta',
  'status',
  'active',
  'pending',
  'user',
  'order',
  'price',
  'item',
]
const names = ['Anna', 'Ben', 'Clara', 'David', 'Eva', 'Felix', 'Greta', 'Hugo', 'Ida', 'Jonas']

function jsonCorpus(): Uint8Array {
  const random = prng(0x12_01)
  let id = 1000
  return textOf(194_056, () => {
    id += 1 + Math.floor(random() * 7)
    const record = {
      id,
      name: `${pick(random, names)} ${pick(random, names)}son`,
      email: `${pick(random, words)}${Math.floor(random() * 1000)}@example.org`,
      active: random() < 0.7,
      balance: Math.round(random() * 1_000_000) / 100,
      tags: Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(random, words)),
      location: {
        lat: Math.round((random() * 180 - 90) * 1e5) / 1e5,
        lon: Math.round((random() * 360 - 180) * 1e5) / 1e5,
      },
    }
    return `${JSON.stringify(record)},\n`
  })
}

function bmpCorpus(): Uint8Array {
  const random = prng(0x12_02)
  const width = 512
  const height = 512
  const headerSize = 54 + 1024
  const out = new Uint8Array(headerSize + width * height)
  const view = new DataView(out.buffer)
  out[0] = 0x42
  out[1] = 0x4d
  view.setUint32(2, out.length, true)
  view.setUint32(10, headerSize, true)
  view.setUint32(14, 40, true)
  view.setInt32(18, width, true)
  view.setInt32(22, height, true)
  view.setUint16(26, 1, true)
  view.setUint16(28, 8, true)
  view.setUint32(34, width * height, true)
  view.setUint32(46, 256, true)
  for (let i = 0; i < 256; i++) {
    out[54 + i * 4] = i
    out[55 + i * 4] = i
    out[56 + i * 4] = i
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const smooth = 128 + 60 * Math.sin(x / 37) * Math.cos(y / 23) + 40 * Math.sin((x + y) / 91)
      out[headerSize + y * width + x] = Math.max(0, Math.min(255, Math.round(smooth + (random() - 0.5) * 24)))
    }
  }
  return out
}

const german = [
  'Habe',
  'nun',
  'ach',
  'Philosophie',
  'Juristerei',
  'und',
  'Medizin',
  'leider',
  'auch',
  'Theologie',
  'durchaus',
  'studiert',
  'mit',
  'heißem',
  'Bemühn',
  'Da',
  'steh',
  'ich',
  'armer',
  'Tor',
  'bin',
  'so',
  'klug',
  'als',
  'wie',
  'zuvor',
  'Mädchen',
  'Grüße',
  'Höhle',
  'über',
]

function faustCorpus(): Uint8Array {
  const random = prng(0x12_03)
  return textOf(222_218, () => {
    const n = 4 + Math.floor(random() * 8)
    const line = Array.from({ length: n }, () => pick(random, german)).join(' ')
    return random() < 0.1 ? `\n${line.toUpperCase()}.\n` : `${line}${random() < 0.3 ? '!' : ','}\n`
  })
}

function htmlCorpus(): Uint8Array {
  const random = prng(0x12_04)
  return textOf(263_647, () => {
    const tag = pick(random, ['p', 'li', 'td', 'span', 'div'])
    const cls = pick(random, words)
    const text = Array.from({ length: 3 + Math.floor(random() * 10) }, () => pick(random, words)).join(' ')
    return `<${tag} class="${cls}"><a href="/${cls}/${Math.floor(random() * 500)}.html">${text}</a></${tag}>\n`
  })
}

function pdfCorpus(): Uint8Array {
  const random = prng(0x12_05)
  const size = 1_042_328
  const out = new Uint8Array(size)
  let at = 0
  let object = 1
  while (at < size) {
    const header = encoder.encode(
      `${object++} 0 obj\n<< /Length ${Math.floor(random() * 9000)} /Filter /FlateDecode >>\nstream\n`,
    )
    out.set(header.subarray(0, size - at), at)
    at += header.length
    // A compressed stream looks like noise.
    const streamLength = Math.min(size - at, 2000 + Math.floor(random() * 7000))
    for (let i = 0; i < streamLength; i++) out[at + i] = Math.floor(random() * 256)
    at += Math.max(streamLength, 0)
    const trailer = encoder.encode('\nendstream\nendobj\n')
    if (at < size) out.set(trailer.subarray(0, size - at), at)
    at += trailer.length
  }
  return out
}

let cache: Corpus[] | null = null

/** The five corpora, in the order of families 12.1 to 12.5. */
export function corpora(): Corpus[] {
  cache ??= [
    {
      name: 'data1.json',
      description: 'Large JSON data file (utf8, 194056 bytes)',
      binary: false,
      data: jsonCorpus(),
    },
    {
      name: 'lena512.bmp',
      description: 'Bitmap 512x512 grey scale (binary, 263222 bytes)',
      binary: true,
      data: bmpCorpus(),
    },
    {
      name: 'pg2229.txt',
      description: 'Human readable text, German verse (binary, 222218 bytes)',
      binary: true,
      data: faustCorpus(),
    },
    {
      name: 'data1.html',
      description: 'Large HTML file (utf8, 263647 bytes)',
      binary: false,
      data: htmlCorpus(),
    },
    {
      name: 'document.pdf',
      description: 'A larger PDF (binary, 1042328 bytes)',
      binary: true,
      data: pdfCorpus(),
    },
  ]
  return cache
}
