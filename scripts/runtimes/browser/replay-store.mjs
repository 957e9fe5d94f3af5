// The oracle's replay side, in the browser: answers Node gave in the recording run, shipped as
// JSON in globalThis.__NODE_ORACLE__. A one-shot call whose key was not recorded (its input
// differs from the Node run, as a handshake key from crypto.getRandomValues does) is asked of the
// harness's Node live, by a synchronous request to the page's own 127.0.0.1 server. A stream
// flush that was not recorded throws: the test then fails, never passes on a made-up answer.
export const mode = 'replay'
export const real = null

const answers = globalThis.__NODE_ORACLE__ ?? {}

function decode(entry) {
  if ('s' in entry) return entry.s
  const text = atob(entry.b)
  const bytes = Buffer.alloc(text.length)
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i)
  return bytes
}

function lookup(key, what) {
  const entry = answers[key]
  if (!entry) throw new Error(`no answer recorded from Node for ${what}: its input differs from the Node run`)
  return entry
}

/** Asks the harness's Node for the answer to `call` (see chromium.mjs, POST /live). */
function live(call, data) {
  const request = new XMLHttpRequest()
  request.open('POST', `/live?call=${encodeURIComponent(JSON.stringify(call))}`, false)
  request.send(new Blob([data]))
  if (request.status !== 200)
    throw new Error(`the live Node oracle failed: ${request.status} ${request.responseText}`)
  return JSON.parse(request.responseText)
}

/**
 * The recorded result of a call, or the recorded error thrown again. Without a recording, `call`
 * and `data` (when given) go to Node live.
 */
export function answer(key, _compute, what = key, call = null, data = null) {
  const entry = answers[key] ?? (call ? live(call, data) : lookup(key, what))
  if ('e' in entry) throw Object.assign(new Error(entry.e), entry.code ? { code: entry.code } : {})
  return decode(entry)
}

/** A stream flush's recorded output and error (either may be absent). */
export function take(key, what) {
  const entry = lookup(key, what)
  return {
    data: 'b' in entry ? decode(entry) : null,
    error: 'e' in entry ? Object.assign(new Error(entry.e), entry.code ? { code: entry.code } : {}) : null,
  }
}

export function constant(name) {
  return lookup(`constant:${name}`, name).j
}
