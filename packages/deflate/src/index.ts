export { Deflater, type DeflaterOptions, deflateRaw } from './deflater.ts'
export { DeflateError, type DeflateErrorCode } from './errors.ts'
export { Inflater, type InflaterOptions, inflateRaw } from './inflater.ts'
