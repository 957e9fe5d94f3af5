/**
 * RFC 6455 section 4.1: "there MUST be no more than one connection in a CONNECTING state" to a
 * host and port. A second connection to the same host and port waits until the first has
 * opened or failed. Waiters leave the line when their signal aborts.
 */
import type { Connector, ConnectRequest, DriverConnection } from './driver-types.ts'
import type { WebAbortSignal } from './globals.ts'

interface Waiter {
  start: (release: () => void) => void
}

/** Host keys with a connection in progress, and who waits behind it. */
const lines = new Map<string, Waiter[]>()

/**
 * Resolves with a `release` function once no other connection to `hostKey` is connecting;
 * rejects with `signal.reason` if the signal aborts first. Call `release` once opened or failed.
 */
export function enterHostGate(hostKey: string, signal: WebAbortSignal): Promise<() => void> {
  if (signal.aborted) return Promise.reject(signal.reason)
  const line = lines.get(hostKey)
  if (line === undefined) {
    lines.set(hostKey, [])
    return Promise.resolve(releaser(hostKey))
  }
  return new Promise((resolve, reject) => {
    const waiter: Waiter = {
      start: (release) => {
        signal.removeEventListener('abort', onAbort)
        resolve(release)
      },
    }
    const onAbort = (): void => {
      const index = line.indexOf(waiter)
      if (index >= 0) line.splice(index, 1)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    line.push(waiter)
  })
}

function releaser(hostKey: string): () => void {
  let released = false
  return () => {
    if (released) return
    released = true
    const line = lines.get(hostKey)
    const next = line?.shift()
    if (next === undefined) lines.delete(hostKey)
    else next.start(releaser(hostKey))
  }
}

/**
 * Connects once no other connection to `hostKey` is connecting. Also fails a connection whose
 * server picked no subprotocol when some were offered (the Standard's opening handshake).
 */
export async function connectInTurn(
  connector: Connector,
  hostKey: string,
  request: ConnectRequest,
): Promise<DriverConnection> {
  const { signal } = request
  const release = await enterHostGate(hostKey, signal)
  let connection: DriverConnection
  try {
    if (signal.aborted) throw signal.reason
    connection = await connector(request)
  } finally {
    release()
  }
  if (request.protocols.length > 0 && connection.protocol === '') {
    connection.terminate()
    throw new Error('the server did not choose any of the subprotocols offered')
  }
  return connection
}
