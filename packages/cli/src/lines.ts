/** Splits a byte stream (stdin) into lines, for `wsx connect`. */

/**
 * Feed it chunks with `push`, then call `end` at the end of the stream. A line ends at `\n`;
 * a `\r` just before it is dropped, so `\r\n` files work. Input is decoded as UTF-8 across chunk
 * boundaries (invalid bytes become U+FFFD). The text after the last `\n` is a line of its own
 * unless it is empty.
 */
export class LineSplitter {
  readonly #decoder = new TextDecoder('utf-8')
  /** Pieces of the current, unfinished line (kept as pieces: a long line costs no copies). */
  #pending: string[] = []

  push(chunk: Uint8Array): string[] {
    return this.#split(this.#decoder.decode(chunk, { stream: true }))
  }

  end(): string[] {
    const lines = this.#split(this.#decoder.decode())
    const rest = this.#pending.join('')
    this.#pending = []
    if (rest !== '') lines.push(stripCarriageReturn(rest))
    return lines
  }

  #split(text: string): string[] {
    const lines: string[] = []
    let start = 0
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      this.#pending.push(text.slice(start, newline))
      lines.push(stripCarriageReturn(this.#pending.join('')))
      this.#pending = []
      start = newline + 1
    }
    if (start < text.length) this.#pending.push(text.slice(start))
    return lines
  }
}

const stripCarriageReturn = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line)
