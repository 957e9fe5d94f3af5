/** TLS options shared by the client and the server, and their checks. */
import type { SecureVersion } from 'node:tls'

/** A PEM (or DER, as a Buffer) value, or several; what node:tls accepts for `ca`, `cert` and `key`. */
export type PemInput = string | Buffer | Array<string | Buffer>

const VERSIONS: readonly SecureVersion[] = ['TLSv1.2', 'TLSv1.3']

/** The lowest TLS version to accept: 'TLSv1.2' (the default) or 'TLSv1.3'. */
export function resolveMinVersion(value: unknown): SecureVersion {
  if (value === undefined) return 'TLSv1.2'
  if (!VERSIONS.includes(value as SecureVersion)) {
    throw new RangeError(`minVersion must be 'TLSv1.2' or 'TLSv1.3', got ${JSON.stringify(value)}`)
  }
  return value as SecureVersion
}

/** Checks a PEM option: a string, a Buffer, or a non-empty array of them; undefined stays undefined. */
export function checkPem(value: unknown, name: string): PemInput | undefined {
  if (value === undefined) return undefined
  const one = (v: unknown): boolean => typeof v === 'string' || Buffer.isBuffer(v)
  if (one(value) || (Array.isArray(value) && value.length > 0 && value.every(one))) return value as PemInput
  throw new TypeError(`${name} must be a string, a Buffer or a non-empty array of them`)
}
