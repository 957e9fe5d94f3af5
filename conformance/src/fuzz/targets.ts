/** Every fuzz target, in the order the runner visits them. */
import type { FuzzTarget } from './check.ts'
import { framesTarget } from './frames.ts'
import { clientHandshakeTarget, serverHandshakeTarget } from './handshake.ts'
import { inflaterTarget } from './inflate.ts'

export const TARGETS: readonly FuzzTarget[] = [
  serverHandshakeTarget,
  clientHandshakeTarget,
  framesTarget('server', false),
  framesTarget('client', false),
  framesTarget('server', true),
  framesTarget('client', true),
  inflaterTarget,
]
