/**
 * The connection of @ws/node-tcp and @ws/node-tls: @ws/driver's Connection (the one pump every
 * transport shares) over a Node socket, with the socket at hand.
 */
import type { Duplex } from 'node:stream'
import { Connection as DriverConnection, type MakeConnection } from '@ws/driver'
import type { SocketTransport } from './socket-transport.ts'

export type { ConnectionEvents } from '@ws/driver'

export class Connection extends DriverConnection {
  /** The transport: a net.Socket, or a tls.TLSSocket for wss://. */
  get socket(): Duplex {
    return (this.transport as SocketTransport).socket
  }
}

/** Makes node-tcp's Connection, for the driver's handshake runners. */
export const makeConnection: MakeConnection = (transport, core, options) =>
  new Connection(transport, core, options)
