/**
 * The one error type of the package. Every malformed input throws a `DeflateError` whose `code`
 * names the kind of problem; nothing else is thrown for bad compressed data.
 */

export type DeflateErrorCode =
  /** A block header with BTYPE 3 (reserved). */
  | 'DEFLATE_INVALID_BLOCK_TYPE'
  /** A stored block whose NLEN is not the one's complement of LEN. */
  | 'DEFLATE_STORED_LENGTH_MISMATCH'
  /** A dynamic block header that declares more than 286 literal/length or 30 distance codes. */
  | 'DEFLATE_INVALID_SYMBOL_COUNT'
  /** Code lengths that do not form a prefix code: over-subscribed, or incomplete where not allowed. */
  | 'DEFLATE_INVALID_CODE_LENGTHS'
  /** A code-length repeat (16) with no previous length, or a repeat that runs past the last code. */
  | 'DEFLATE_INVALID_LENGTH_REPEAT'
  /** A dynamic literal/length code with no code for the end-of-block symbol 256. */
  | 'DEFLATE_MISSING_END_OF_BLOCK'
  /** A literal/length code that decodes to no symbol, or to the reserved symbols 286 and 287. */
  | 'DEFLATE_INVALID_SYMBOL'
  /** A distance code that decodes to no symbol, or to the reserved distance symbols 30 and 31. */
  | 'DEFLATE_INVALID_DISTANCE'
  /** A distance further back than the window, or than the bytes produced since the last reset. */
  | 'DEFLATE_DISTANCE_TOO_FAR'
  /** The output would exceed the configured limit. */
  | 'DEFLATE_OUTPUT_LIMIT'
  /** The input was declared complete (`final`) before the final block ended. */
  | 'DEFLATE_TRUNCATED'
  /** Bytes after the end of the final block. */
  | 'DEFLATE_DATA_AFTER_END'

/** Thrown for malformed or over-limit compressed input. */
export class DeflateError extends Error {
  override readonly name = 'DeflateError'
  /**
   * What the failing `Inflater.push` had decoded from its input before the error, in order
   * (empty when the error is thrown again): a caller that checks the output as it goes (a text
   * message's UTF-8, say) can check these bytes first, so the error it reports does not depend
   * on how the input was cut into chunks.
   */
  output: Uint8Array[] = []
  constructor(
    readonly code: DeflateErrorCode,
    message: string,
  ) {
    super(message)
  }
}
