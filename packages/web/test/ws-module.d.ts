/** The part of the `ws` package (no @types installed) that the tests use. */
declare module 'ws' {
  import type { EventEmitter } from 'node:events'

  export class WebSocket extends EventEmitter {
    readonly protocol: string
    readonly extensions: string
    send(data: unknown, options?: { binary?: boolean }): void
    close(code?: number, reason?: string): void
    terminate(): void
  }

  export class WebSocketServer extends EventEmitter {
    constructor(options: {
      port?: number
      host?: string
      perMessageDeflate?: boolean | object
      handleProtocols?: (protocols: Set<string>, request: unknown) => string | false
    })
    address(): { port: number }
    close(callback?: () => void): void
    readonly clients: Set<WebSocket>
  }
}
