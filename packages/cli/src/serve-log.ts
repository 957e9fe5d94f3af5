/** `wsx serve --log` / `--jsonl`: one line on stderr when a connection opens and one when it closes. */
import type { Writable } from 'node:stream'
import type { UpgradeRequest } from '@ws/proto'
import type { Counts } from './serve.ts'
import type { WsConnection } from './transport.ts'

export class ConnectionLog {
  readonly #mode: 'none' | 'text' | 'jsonl'
  readonly #stderr: Writable

  constructor(mode: 'none' | 'text' | 'jsonl', stderr: Writable) {
    this.#mode = mode
    this.#stderr = stderr
  }

  /** Logs the opening; returns the counts to fill, logged with the close. */
  opened(connection: WsConnection, request: UpgradeRequest): Counts {
    const counts: Counts = { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 }
    if (this.#mode === 'none') return counts
    // Both adapters' transports (a socket, an HTTP/2 stream) give the remote address in `info`.
    const socket = (connection.transport.info ?? {}) as { remoteAddress?: string; remotePort?: number }
    const host = socket.remoteAddress ?? '?'
    const remote = `${host.includes(':') ? `[${host}]` : host}:${socket.remotePort ?? '?'}`
    const base = {
      remote,
      path: request.resource,
      protocol: connection.protocol,
      extensions: connection.extensions,
    }
    const start = performance.now()
    this.#line({ type: 'open', ...base }, () =>
      [
        'open',
        remote,
        request.resource,
        `protocol=${base.protocol || '-'}`,
        `extensions=${JSON.stringify(base.extensions)}`,
      ].join(' '),
    )
    void connection.closed.then((closed) => {
      const durationMs = Math.round(performance.now() - start)
      this.#line(
        {
          type: 'close',
          ...base,
          durationMs,
          ...counts,
          code: closed.code,
          reason: closed.reason,
          wasClean: closed.wasClean,
        },
        () =>
          [
            'close',
            remote,
            request.resource,
            `code=${closed.code}`,
            `duration=${(durationMs / 1000).toFixed(3)}s`,
            `in=${counts.messagesIn}msg/${counts.bytesIn}B`,
            `out=${counts.messagesOut}msg/${counts.bytesOut}B`,
            `protocol=${base.protocol || '-'}`,
            `extensions=${JSON.stringify(base.extensions)}`,
          ].join(' '),
      )
    })
    return counts
  }

  #line(fields: Record<string, unknown>, text: () => string): void {
    const line =
      this.#mode === 'jsonl' ? JSON.stringify({ time: new Date().toISOString(), ...fields }) : text()
    this.#stderr.write(`${line}\n`)
  }
}
