// A small Buffer for test bundles in the browser, built only on web-standard truth (atob, btoa,
// TextEncoder, TextDecoder), never on the code under test. It covers what the tests use: from()
// with utf8, latin1, hex and base64, alloc, concat, compare, byteLength, equals, toString.
const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder()

function fromString(text, encoding = 'utf8') {
  switch (encoding) {
    case 'utf8':
    case 'utf-8':
      return Buffer.fromBytes(utf8Encoder.encode(text))
    case 'latin1':
    case 'binary': {
      const out = new Buffer(text.length)
      for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff
      return out
    }
    case 'hex': {
      const out = new Buffer(text.length >>> 1)
      for (let i = 0; i < out.length; i++) {
        const byte = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16)
        if (Number.isNaN(byte)) return out.subarray(0, i)
        out[i] = byte
      }
      return out
    }
    case 'base64':
      // atob is the WHATWG forgiving-base64 decode; it throws where Node would skip characters.
      return fromString(atob(text), 'latin1')
    default:
      throw new Error(`Buffer shim: encoding ${encoding} is not supported`)
  }
}

export class Buffer extends Uint8Array {
  static fromBytes(bytes) {
    const out = new Buffer(bytes.length)
    out.set(bytes)
    return out
  }

  static from(value, encodingOrOffset, length) {
    if (typeof value === 'string') return fromString(value, encodingOrOffset)
    if (value instanceof ArrayBuffer) {
      const offset = encodingOrOffset ?? 0
      return new Buffer(value, offset, length ?? value.byteLength - offset)
    }
    if (ArrayBuffer.isView(value) || Array.isArray(value)) return Buffer.fromBytes(value)
    throw new TypeError('Buffer shim: unsupported argument to Buffer.from')
  }

  static alloc(size, fill = 0) {
    return new Buffer(size).fill(fill)
  }

  static isBuffer(value) {
    return value instanceof Buffer
  }

  static byteLength(text, encoding = 'utf8') {
    return typeof text === 'string' ? fromString(text, encoding).length : text.byteLength
  }

  static concat(list, total) {
    const length = total ?? list.reduce((sum, item) => sum + item.length, 0)
    const out = Buffer.alloc(length)
    let offset = 0
    for (const item of list) {
      if (offset >= length) break
      const part = item.subarray(0, length - offset)
      out.set(part, offset)
      offset += part.length
    }
    return out
  }

  static compare(a, b) {
    const n = Math.min(a.length, b.length)
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
  }

  equals(other) {
    return Buffer.compare(this, other) === 0
  }

  toString(encoding = 'utf8', start = 0, end = this.length) {
    const bytes = this.subarray(start, end)
    switch (encoding) {
      case 'utf8':
      case 'utf-8':
        return utf8Decoder.decode(bytes)
      case 'latin1':
      case 'binary': {
        let text = ''
        for (let i = 0; i < bytes.length; i += 8192)
          text += String.fromCharCode(...bytes.subarray(i, Math.min(i + 8192, bytes.length)))
        return text
      }
      case 'hex':
        return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
      case 'base64':
        return btoa(Buffer.prototype.toString.call(bytes, 'latin1'))
      default:
        throw new Error(`Buffer shim: encoding ${encoding} is not supported`)
    }
  }
}
