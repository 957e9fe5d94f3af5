import { createPrivateKey } from 'node:crypto'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createServer as createTlsServer, type TLSSocket, connect as tlsConnect } from 'node:tls'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type Connection, connect, SecureWebSocketServer } from '../src/index.ts'
import {
  assertConnectError,
  deadline,
  PEM,
  rejection,
  secureEchoServer,
  silentServer,
  stop,
  thrown,
} from './helpers.ts'

const verification = suite('certificate and host-name verification')

verification('a server whose CA is not the one given fails with a ConnectError that says so', async () => {
  const { server, url } = await secureEchoServer()
  try {
    const error = assertConnectError(
      await rejection(connect(url, { ca: PEM.otherCa })),
      'network',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    )
    assert.match(error.message, /certificate could not be verified/)
    assert.match(error.message, new RegExp(url.replace(/[/.]/g, '\\$&')))
    assert.instance(error.cause, Error)
    assert.is(server.connections.size, 0)
  } finally {
    await server.close()
  }
})

verification('without `ca`, Node’s root store does not trust the test CA', async () => {
  const { server, url } = await secureEchoServer()
  try {
    const error = await rejection(connect(url))
    assertConnectError(error, 'network', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')
  } finally {
    await server.close()
  }
})

verification('a server that sends its CA along, not trusted: SELF_SIGNED_CERT_IN_CHAIN', async () => {
  const { server, url } = await secureEchoServer({ cert: PEM.server + PEM.ca })
  try {
    const error = assertConnectError(
      await rejection(connect(url, { ca: PEM.otherCa })),
      'network',
      'SELF_SIGNED_CERT_IN_CHAIN',
    )
    assert.match(error.message, /certificate could not be verified/)
  } finally {
    await server.close()
  }
})

verification(
  'a certificate for another name fails on 127.0.0.1 with ERR_TLS_CERT_ALTNAME_INVALID',
  async () => {
    const { server, url } = await secureEchoServer({ cert: PEM.wrongName })
    try {
      const error = assertConnectError(
        await rejection(connect(url, { ca: PEM.ca })),
        'network',
        'ERR_TLS_CERT_ALTNAME_INVALID',
      )
      assert.match(error.message, /certificate could not be verified/)
      assert.match(error.message, /127\.0\.0\.1/)
    } finally {
      await server.close()
    }
  },
)

verification(
  'the name in `servername` is checked: localhost’s certificate is not other.invalid’s',
  async () => {
    const { server, url } = await secureEchoServer()
    try {
      const error = await rejection(connect(url, { ca: PEM.ca, servername: 'other.invalid' }))
      assertConnectError(error, 'network', 'ERR_TLS_CERT_ALTNAME_INVALID')
    } finally {
      await server.close()
    }
  },
)

verification(
  '`insecure: true` connects despite an unknown CA and a wrong name, still over TLS 1.3',
  async () => {
    const { server, url } = await secureEchoServer({ cert: PEM.wrongName })
    try {
      const client = await connect(url, { ca: PEM.otherCa, insecure: true })
      const socket = client.socket as TLSSocket
      assert.is(socket.getProtocol(), 'TLSv1.3')
      assert.is(socket.authorized, false)
      assert.is(socket.authorizationError as unknown, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')
      client.sendText('insecure but encrypted')
      const echoed = await deadline(new Promise((resolve) => client.once('text', resolve)))
      assert.equal(echoed, { type: 'text', data: 'insecure but encrypted' })
      client.close(1000)
      await deadline(client.closed)
    } finally {
      await server.close()
    }
  },
)

verification.run()

const failures = suite('other connection failures')

failures('ws:// and http:// are refused with a TypeError that points to @ws/node-tcp', async () => {
  for (const url of ['ws://127.0.0.1:1/', 'http://127.0.0.1:1/', new URL('ws://127.0.0.1:1/')]) {
    const error = await rejection(connect(url))
    assert.instance(error, TypeError)
    assert.match((error as Error).message, /wss:\/\/ only; use connect\(\) from @ws\/node-tcp/)
  }
  assert.instance(await rejection(connect('not a url')), SyntaxError)
})

failures('a closed port fails with ECONNREFUSED', async () => {
  const { server, port } = await silentServer()
  await stop(server)
  assertConnectError(
    await rejection(connect(`wss://127.0.0.1:${port}/`, { ca: PEM.ca })),
    'network',
    'ECONNREFUSED',
  )
})

failures('a plain (non-TLS) peer fails during the TLS handshake, not as a certificate error', async () => {
  const { server, port, sockets } = await silentServer()
  server.on('connection', (socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'))
  try {
    const error = assertConnectError(
      await rejection(connect(`wss://127.0.0.1:${port}/`, { ca: PEM.ca })),
      'network',
    )
    assert.match(error.code, /^ERR_SSL_/)
    assert.match(error.message, /: the TLS handshake failed: [a-z ]+ \(ERR_SSL_[A-Z_]+\)$/)
    assert.not.match(error.message, /certificate/)
  } finally {
    await stop(server, sockets)
  }
})

failures('a TLS 1.2-only server is refused with minVersion TLSv1.3', async () => {
  const server = createTlsServer({ key: PEM.serverKey, cert: PEM.server, maxVersion: 'TLSv1.2' })
  server.on('tlsClientError', () => {})
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  try {
    const url = `wss://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const error = assertConnectError(
      await rejection(connect(url, { ca: PEM.ca, minVersion: 'TLSv1.3' })),
      'network',
    )
    assert.match(error.code, /^ERR_SSL_/)
  } finally {
    await stop(server)
  }
})

failures('aborting while the TLS handshake waits ends it with an aborted ConnectError', async () => {
  const { server, port, sockets } = await silentServer()
  try {
    const controller = new AbortController()
    server.once('connection', () => controller.abort())
    const error = await rejection(
      connect(`wss://127.0.0.1:${port}/`, { ca: PEM.ca, signal: controller.signal }),
    )
    assertConnectError(error, 'aborted')
  } finally {
    await stop(server, sockets)
  }
})

failures('bad client options are TypeErrors or RangeErrors, before any connection', async () => {
  const url = 'wss://127.0.0.1:1/'
  const cases: [Record<string, unknown>, ErrorConstructor, RegExp][] = [
    [{ ca: 42 }, TypeError, /ca must be a string, a Buffer or a non-empty array/],
    [{ ca: [] }, TypeError, /ca must be/],
    [{ ca: [PEM.ca, 1] }, TypeError, /ca must be/],
    [{ cert: PEM.client }, TypeError, /cert needs its private key/],
    [{ key: {} }, TypeError, /key must be/],
    [{ servername: '' }, TypeError, /servername must be a non-empty string/],
    [{ insecure: 'yes' }, TypeError, /insecure must be a boolean/],
    [{ minVersion: 'TLSv1.1' }, RangeError, /minVersion must be 'TLSv1\.2' or 'TLSv1\.3', got "TLSv1\.1"/],
  ]
  for (const [options, type, message] of cases) {
    const error = await rejection(connect(url, options))
    assert.instance(error, type, JSON.stringify(options))
    assert.match((error as Error).message, message)
  }
})

failures.run()

const clientCerts = suite('client certificates and server options')

clientCerts('a server with requestCert accepts a client certificate from its CA', async () => {
  const { server, url, accepted } = await secureEchoServer({ ca: PEM.ca, requestCert: true })
  try {
    const client = await connect(url, { ca: PEM.ca, cert: PEM.client, key: PEM.clientKey })
    const serverSocket = (accepted[0] as Connection).socket as TLSSocket
    assert.is(serverSocket.authorized, true)
    assert.is(serverSocket.getPeerCertificate().subject.CN, 'ws-stack test client')
    client.close(1000)
    await deadline(client.closed)
  } finally {
    await server.close()
  }
})

clientCerts(
  'a server with requestCert refuses a client without a certificate, and onTlsClientError hears of it',
  async () => {
    let reported: (error: Error) => void = () => {}
    const clientError = deadline(new Promise<Error>((resolve) => (reported = resolve)))
    const { server, url } = await secureEchoServer({
      ca: PEM.ca,
      requestCert: true,
      onTlsClientError: (error) => reported(error),
    })
    try {
      // TLS 1.3: the client's side of the handshake is done before the server asks for its
      // certificate, so the server's alert arrives during the WebSocket handshake.
      assertConnectError(
        await rejection(connect(url, { ca: PEM.ca })),
        'network',
        'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      )
      const error = await clientError
      assert.instance(error, Error)
      assert.is(server.connections.size, 0)
    } finally {
      await server.close()
    }
  },
)

clientCerts('encrypted keys load with their passphrase, on both sides', async () => {
  const encrypt = (pem: string): string =>
    createPrivateKey(pem).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'secret',
    }) as string
  const { server, url, accepted } = await secureEchoServer({
    key: encrypt(PEM.serverKey),
    passphrase: 'secret',
    ca: PEM.ca,
    requestCert: true,
  })
  try {
    const client = await connect(url, {
      ca: PEM.ca,
      cert: PEM.client,
      key: encrypt(PEM.clientKey),
      passphrase: 'secret',
    })
    assert.is(((accepted[0] as Connection).socket as TLSSocket).authorized, true)
    client.close(1000)
    await deadline(client.closed)
  } finally {
    await server.close()
  }
})

clientCerts('bad server options throw when the server is made, not when it listens', () => {
  const cases: [unknown, ErrorConstructor, RegExp][] = [
    [undefined, TypeError, /needs options with key and cert/],
    [{ cert: PEM.server }, TypeError, /needs a key and a cert/],
    [{ key: PEM.serverKey }, TypeError, /needs a key and a cert/],
    [{ key: PEM.serverKey, cert: 7 }, TypeError, /cert must be/],
    [{ key: PEM.serverKey, cert: PEM.server, ca: false }, TypeError, /ca must be/],
    [{ key: PEM.serverKey, cert: PEM.server, requestCert: 1 }, TypeError, /requestCert must be a boolean/],
    [{ key: PEM.serverKey, cert: PEM.server, minVersion: 'TLSv1' }, RangeError, /minVersion must be/],
    [
      { key: PEM.serverKey, cert: PEM.server, onTlsClientError: 'log' },
      TypeError,
      /onTlsClientError must be a function/,
    ],
  ]
  for (const [options, type, message] of cases) {
    const error = thrown(() => new SecureWebSocketServer(options as never))
    assert.instance(error, type, JSON.stringify(options))
    assert.match((error as Error).message, message)
  }
  // A key that is not the certificate's: node:tls refuses it at once.
  const error = thrown(() => new SecureWebSocketServer({ key: PEM.clientKey, cert: PEM.server }))
  assert.instance(error, Error)
  assert.match(String((error as { code?: unknown }).code), /KEY_VALUES_MISMATCH/)
})

clientCerts(
  'a raw TLS client below the server’s minVersion is turned away; onTlsClientError hears of it',
  async () => {
    const errors: Error[] = []
    const { server, port } = await secureEchoServer({
      minVersion: 'TLSv1.3',
      onTlsClientError: (error) => errors.push(error),
    })
    try {
      const socket = tlsConnect({ host: '127.0.0.1', port, ca: PEM.ca, maxVersion: 'TLSv1.2' })
      const [clientError] = await deadline(once(socket, 'error'))
      assert.instance(clientError, Error)
      // The server fails first (no common version) and sends the alert the client fails on.
      const [serverError] = errors
      assert.match(String((serverError as { code?: unknown }).code), /^ERR_SSL_/)
    } finally {
      await server.close()
    }
  },
)

clientCerts.run()
