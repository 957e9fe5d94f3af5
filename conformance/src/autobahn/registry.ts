// Every case, in Autobahn's order: families 1-7 and 10 (protocol), 9 (limits and performance),
// 12 and 13 (permessage-deflate), 517 in all.
import type { CaseEntry } from './case.ts'
import { family1 } from './cases/family1.ts'
import { family2 } from './cases/family2.ts'
import { family3 } from './cases/family3.ts'
import { family4 } from './cases/family4.ts'
import { family5 } from './cases/family5.ts'
import { family6 } from './cases/family6.ts'
import { family7 } from './cases/family7.ts'
import { family9 } from './cases/family9.ts'
import { family10 } from './cases/family10.ts'
import { compressionFamilies } from './cases/family12.ts'

/** Autobahn sends this many messages in each compression case. */
export const FULL_MESSAGES = 1000

/** All cases; `messages` is the number of messages per compression case. */
export function allCases(messages: number): CaseEntry[] {
  const { family12, family13 } = compressionFamilies(messages)
  return [
    ...family1,
    ...family2,
    ...family3,
    ...family4,
    ...family5,
    ...family6,
    ...family7,
    ...family9,
    ...family10,
    ...family12,
    ...family13,
  ]
}

/** Numeric order of case ids ("2.10" after "2.9"). */
export function compareIds(a: string, b: string): number {
  const x = a.split('.').map(Number)
  const y = b.split('.').map(Number)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1)
    if (d !== 0) return d
  }
  return 0
}

/** Whether `id` matches one of the patterns ("1.*", "9.1.6", "12.*"); no patterns match everything. */
export function selected(id: string, patterns: readonly string[]): boolean {
  if (patterns.length === 0) return true
  return patterns.some((pattern) =>
    pattern.endsWith('*') ? id.startsWith(pattern.slice(0, -1)) : id === pattern,
  )
}
