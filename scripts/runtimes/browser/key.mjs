// A key for one call to a Node API: the call's name, its options and every input byte, hashed
// incrementally (two 32-bit FNV-1a lanes and the byte count). The recording run in Node and the
// replay in the browser compute it the same way, so a call finds the answer Node gave to it.
const utf8 = new TextEncoder()

export class CallKey {
  constructor(label) {
    this.a = 0x811c9dc5
    this.b = 0x01000193
    this.count = 0
    this.text(label)
  }

  /** Adds bytes; a string is added as its UTF-8 encoding. */
  add(data) {
    if (typeof data === 'string') return this.text(data)
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    let { a, b } = this
    for (let i = 0; i < bytes.length; i++) {
      a = Math.imul(a ^ bytes[i], 0x01000193)
      b = Math.imul(b ^ bytes[i], 0x0100019d) ^ (b >>> 15)
    }
    this.a = a
    this.b = b
    this.count += bytes.length
    return this
  }

  text(value) {
    return this.add(utf8.encode(`${value}\u0000`))
  }

  toString() {
    return `${(this.a >>> 0).toString(16)}.${(this.b >>> 0).toString(16)}.${this.count}`
  }
}

/** A stable text for an options object (keys sorted), part of a call's key. */
export function describeOptions(options) {
  if (options === undefined || options === null) return ''
  return JSON.stringify(
    Object.keys(options)
      .sort()
      .map((key) => [key, options[key]]),
  )
}
