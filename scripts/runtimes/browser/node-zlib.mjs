// Stands in for node:zlib in test bundles. In the recording run (Node) each call goes to the
// real node:zlib and its answer is recorded; in the browser the recorded answer is replayed.
// Only what the tests use: deflateRawSync, inflateRawSync, createDeflateRaw, createInflateRaw
// (write, flush with a callback, 'data' and 'error' events, close) and constants.
import * as store from 'ws-oracle-store'
import { CallKey, describeOptions } from './key.mjs'

export const constants = store.constant('zlib.constants', store.real?.zlib.constants)

function oneShot(name, data, options) {
  const key = new CallKey(`zlib.${name}`).text(describeOptions(options)).add(data).toString()
  const call = { module: 'zlib', name, options }
  return store.answer(key, () => store.real.zlib[name](data, options), `zlib.${name}`, call, data)
}

export const deflateRawSync = (data, options) => oneShot('deflateRawSync', data, options)
export const inflateRawSync = (data, options) => oneShot('inflateRawSync', data, options)

/** A zlib stream: the key of each flush covers the options and everything written before it. */
class Stream {
  constructor(name, options) {
    this.name = name
    this.key = new CallKey(`zlib.${name}`).text(describeOptions(options))
    this.listeners = { data: [], error: [] }
    this.pending = []
    this.error = null
    if (store.mode === 'record') {
      this.real = store.real.zlib[name](options)
      this.real.on('data', (chunk) => this.pending.push(chunk))
      this.real.on('error', (error) => {
        this.error = error
      })
    }
  }

  on(event, listener) {
    if (this.real) this.real.on(event, listener)
    else if (this.listeners[event]) this.listeners[event].push(listener)
    else throw new Error(`node:zlib shim: '${event}' events are not shimmed`)
    return this
  }

  write(data) {
    this.key.add(data)
    if (this.real) return this.real.write(data)
    return true
  }

  flush(kind, callback) {
    this.key.text(`flush ${kind}`)
    const key = this.key.toString()
    if (this.real) {
      this.real.flush(kind, () => {
        store.put(key, Buffer.concat(this.pending.splice(0)), this.error)
        callback?.()
      })
      return
    }
    const { data, error } = store.take(key, `zlib.${this.name} flush`)
    setTimeout(() => {
      if (data && data.length > 0) for (const listener of this.listeners.data) listener(data)
      if (error) for (const listener of this.listeners.error) listener(error)
      callback?.()
    })
  }

  close() {
    this.real?.close()
  }
}

export const createDeflateRaw = (options) => new Stream('createDeflateRaw', options)
export const createInflateRaw = (options) => new Stream('createInflateRaw', options)

export default { constants, deflateRawSync, inflateRawSync, createDeflateRaw, createInflateRaw }
