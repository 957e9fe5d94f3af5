/**
 * Streaming UTF-8 validation (RFC 3629): a table-driven DFA whose whole state is one small
 * integer, so text can be checked piece by piece as it arrives and fail at the first bad byte.
 * Overlong forms, surrogates (U+D800-U+DFFF) and code points above U+10FFFF are rejected;
 * non-characters such as U+FFFE are valid.
 */

// Byte classes. 0: ASCII, 1: 80-8F, 2: 90-9F, 3: A0-BF, 4: never valid (C0, C1, F5-FF),
// 5: C2-DF, 6: E0, 7: E1-EC and EE-EF, 8: ED, 9: F0, 10: F1-F3, 11: F4.
const CLASS_COUNT = 12
const byteClass = /* @__PURE__ */ (() => {
  const classes = new Uint8Array(256)
  for (let byte = 0x80; byte < 0x90; byte++) classes[byte] = 1
  for (let byte = 0x90; byte < 0xa0; byte++) classes[byte] = 2
  for (let byte = 0xa0; byte < 0xc0; byte++) classes[byte] = 3
  classes.fill(4, 0xc0, 0xc2)
  classes.fill(5, 0xc2, 0xe0)
  classes[0xe0] = 6
  classes.fill(7, 0xe1, 0xf0)
  classes[0xed] = 8
  classes[0xf0] = 9
  classes.fill(10, 0xf1, 0xf4)
  classes[0xf4] = 11
  classes.fill(4, 0xf5, 0x100)
  return classes
})()

/** Between characters. */
export const UTF8_ACCEPT = 0
/** A bad byte was seen; stays here. */
export const UTF8_REJECT = 1
// 2: one continuation byte left; 3: two left; 4: after E0 (A0-BF next); 5: after ED (80-9F next);
// 6: after F0 (90-BF next); 7: three left; 8: after F4 (80-8F next).
const STATE_COUNT = 9

const transitions = /* @__PURE__ */ (() => {
  const table = new Uint8Array(STATE_COUNT * CLASS_COUNT).fill(UTF8_REJECT)
  const set = (state: number, classes: number[], next: number): void => {
    for (const cls of classes) table[state * CLASS_COUNT + cls] = next
  }
  const continuation = [1, 2, 3]
  set(UTF8_ACCEPT, [0], UTF8_ACCEPT)
  set(UTF8_ACCEPT, [5], 2)
  set(UTF8_ACCEPT, [6], 4)
  set(UTF8_ACCEPT, [7], 3)
  set(UTF8_ACCEPT, [8], 5)
  set(UTF8_ACCEPT, [9], 6)
  set(UTF8_ACCEPT, [10], 7)
  set(UTF8_ACCEPT, [11], 8)
  set(2, continuation, UTF8_ACCEPT)
  set(3, continuation, 2)
  set(4, [3], 2)
  set(5, [1, 2], 2)
  set(6, [2, 3], 3)
  set(7, continuation, 3)
  set(8, [1], 3)
  return table
})()

/**
 * Runs the DFA over `bytes[start, end)` from `state`. Returns the state after the last byte, or
 * `-(index + 1)` for the index of the first byte that makes the sequence invalid.
 */
export function utf8Step(state: number, bytes: Uint8Array, start: number, end: number): number {
  let index = start
  while (index < end) {
    if (state === UTF8_ACCEPT) {
      // Fast path: runs of ASCII.
      while (index < end && bytes[index] < 0x80) index++
      if (index === end) return UTF8_ACCEPT
    }
    state = transitions[state * CLASS_COUNT + byteClass[bytes[index]]]
    if (state === UTF8_REJECT) return -(index + 1)
    index++
  }
  return state
}

/** Validates UTF-8 that arrives in pieces; `complete()` says whether the text ended on a character. */
export class Utf8Validator {
  private state = UTF8_ACCEPT

  /**
   * Checks the next piece. Returns -1 when every byte so far can still start or continue valid
   * UTF-8, else the index within `bytes` of the first invalid byte.
   */
  push(bytes: Uint8Array): number {
    const next = utf8Step(this.state, bytes, 0, bytes.length)
    if (next < 0) {
      this.state = UTF8_REJECT
      return -next - 1
    }
    this.state = next
    return -1
  }

  /** True when the text so far is complete, valid UTF-8 (no character cut off at the end). */
  complete(): boolean {
    return this.state === UTF8_ACCEPT
  }

  reset(): void {
    this.state = UTF8_ACCEPT
  }
}

/** True when `bytes` is complete, valid UTF-8. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return utf8Step(UTF8_ACCEPT, bytes, 0, bytes.length) === UTF8_ACCEPT
}
