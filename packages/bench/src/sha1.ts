/** SHA-1 throughput: @ws/crypto against node:crypto (OpenSSL), report only. */
import { createHash } from 'node:crypto'
import { sha1 } from '@ws/crypto'
import { assertSameOutput, type Comparison, compare, type MeasureOptions } from './harness.ts'

export interface Sha1Row extends Comparison {
  size: number
}

export const SHA1_SIZES = [64, 1 << 20] as const

/** Deterministic, incompressible-looking input. */
function input(size: number): Uint8Array {
  const data = new Uint8Array(size)
  let x = 0x12345678
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    data[i] = x & 0xff
  }
  return data
}

export function benchSha1(options: MeasureOptions): Sha1Row[] {
  return SHA1_SIZES.map((size) => {
    const data = input(size)
    const nodeSha1 = (): Uint8Array => createHash('sha1').update(data).digest()
    assertSameOutput(`sha1 of ${size} bytes`, sha1(data), nodeSha1())
    const comparison = compare(
      { run: () => sha1(data)[0] as number },
      { run: () => nodeSha1()[0] as number },
      options,
    )
    return { size, ...comparison }
  })
}
