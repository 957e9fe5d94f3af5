// The oracle's recording side, for the run in Node: each shimmed call is answered by the real
// Node module and the answer is kept under the call's key. save() writes them all as JSON.
import crypto from 'node:crypto'
import { writeFileSync } from 'node:fs'
import zlib from 'node:zlib'

export const mode = 'record'
export const real = { crypto, zlib }
const answers = {}

const encode = (value) =>
  typeof value === 'string'
    ? { s: value }
    : { b: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') }

/** Runs `compute` (the real Node call) and records what it returned or threw. */
export function answer(key, compute) {
  try {
    const value = compute()
    answers[key] = encode(value)
    return value
  } catch (error) {
    answers[key] = { e: String(error?.message ?? error), code: error?.code }
    throw error
  }
}

/** Records an answer that was computed elsewhere (a stream's flush). */
export function put(key, value, error) {
  answers[key] = error ? { e: String(error.message), code: error.code, ...encode(value) } : encode(value)
}

/** Records a plain JSON value (such as zlib.constants). */
export function constant(name, value) {
  answers[`constant:${name}`] = { j: value }
  return value
}

export function save(path) {
  writeFileSync(path, JSON.stringify(answers))
}
