export { Base64Error, type Base64ErrorCode, base64Decode, base64Encode } from './base64.ts'
export { isBytes } from './bytes.ts'
export { SHA1_BLOCK_LENGTH, SHA1_DIGEST_LENGTH, Sha1, sha1 } from './sha1.ts'
