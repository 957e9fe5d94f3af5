/** Field sections between node:http2's shapes and @ws/proto's lists of [name, value] pairs. */
import type { OutgoingHttpHeaders } from 'node:http2'
import type { H2Fields } from '@ws/proto/h2'

/** node:http2's raw headers (name, value, name, value...) as pairs, in the order received. */
export function fieldsFromRaw(raw: readonly string[]): [string, string][] {
  const fields: [string, string][] = []
  for (let index = 0; index + 1 < raw.length; index += 2) {
    fields.push([raw[index] as string, raw[index + 1] as string])
  }
  return fields
}

/** Pairs as the object node:http2 sends; a repeated name becomes an array, in order. */
export function headersObject(fields: H2Fields): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = Object.create(null)
  for (const [name, value] of fields) {
    const previous = headers[name]
    if (previous === undefined) headers[name] = value
    else headers[name] = Array.isArray(previous) ? [...previous, value] : [String(previous), value]
  }
  return headers
}
