// Stands in for node:crypto in test bundles: createHash(algorithm).update(...).digest(encoding).
// The recording run in Node answers with the real node:crypto; the browser replays its answers.
import * as store from 'ws-oracle-store'
import { CallKey } from './key.mjs'

class Hash {
  constructor(algorithm) {
    this.algorithm = algorithm
    this.key = new CallKey(`crypto.createHash ${algorithm}`)
    this.real = store.real?.crypto.createHash(algorithm)
    // In the browser, the input is kept (by reference) in case Node must be asked live.
    this.chunks = this.real ? null : []
  }

  update(data, encoding) {
    if (encoding !== undefined && encoding !== 'utf8') throw new Error(`update with ${encoding}: not shimmed`)
    this.key.add(data)
    this.real?.update(data)
    this.chunks?.push(typeof data === 'string' ? new TextEncoder().encode(data) : data)
    return this
  }

  digest(encoding) {
    const key = this.key.text(`digest ${encoding}`).toString()
    const call = { module: 'crypto', name: 'hash', algorithm: this.algorithm, encoding }
    const chunks = this.chunks
    this.chunks = null
    return store.answer(
      key,
      () => this.real.digest(encoding),
      'crypto.createHash digest',
      call,
      chunks && new Blob(chunks),
    )
  }
}

export const createHash = (algorithm) => new Hash(algorithm)

export default { createHash }
