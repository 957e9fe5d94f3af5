/**
 * Raw DEFLATE throughput: @ws/deflate against node:zlib (native zlib), both at level 6 and
 * windowBits 15, on text and JSON. Inflate decodes the same zlib-made stream on both sides and
 * must give identical output; deflate outputs differ, so both must decompress to the input, and
 * the sizes are compared.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import { deflateRaw, inflateRaw } from '@ws/deflate'
import { jsonCorpus, textCorpus } from './corpus.ts'
import { assertSameOutput, type Comparison, compare, type MeasureOptions } from './harness.ts'

export interface DeflateRow extends Comparison {
  corpus: 'text' | 'JSON'
  direction: 'inflate' | 'deflate'
  /** Uncompressed bytes per operation (MB/s counts these). */
  size: number
  oursCompressed: number
  zlibCompressed: number
}

export const DEFLATE_CORPUS_SIZE = 1 << 20
const OPTIONS = { level: 6, windowBits: 15 } as const

export function benchDeflate(options: MeasureOptions, size = DEFLATE_CORPUS_SIZE): DeflateRow[] {
  const rows: DeflateRow[] = []
  for (const [corpus, data] of [
    ['text', textCorpus(size)],
    ['JSON', jsonCorpus(size)],
  ] as const) {
    const zlibCompressed = deflateRawSync(data, OPTIONS)
    const oursCompressed = deflateRaw(data, OPTIONS)
    assertSameOutput(`inflate of ${corpus}`, inflateRaw(zlibCompressed), inflateRawSync(zlibCompressed))
    assertSameOutput(`our deflate of ${corpus}, inflated by zlib`, inflateRawSync(oursCompressed), data)
    assertSameOutput(`zlib's deflate of ${corpus}, inflated by zlib`, inflateRawSync(zlibCompressed), data)
    const sizes = { oursCompressed: oursCompressed.length, zlibCompressed: zlibCompressed.length }
    const inflate = compare(
      { run: () => inflateRaw(zlibCompressed).length },
      { run: () => inflateRawSync(zlibCompressed).length },
      options,
    )
    rows.push({ corpus, direction: 'inflate', size: data.length, ...sizes, ...inflate })
    const deflate = compare(
      { run: () => deflateRaw(data, OPTIONS).length },
      { run: () => deflateRawSync(data, OPTIONS).length },
      options,
    )
    rows.push({ corpus, direction: 'deflate', size: data.length, ...sizes, ...deflate })
  }
  return rows
}
