/**
 * Proxies for the --proxy tests: a small CONNECT proxy written here (RFC 9110 section 9.3.6)
 * that records what it was asked and can refuse or hang up, and Debian's tinyproxy.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer as createTlsServer } from 'node:tls'
import { closedPort, fixtures } from './harness.ts'

/** One CONNECT request as the proxy received it. */
export interface ProxyRequest {
  /** The request line, e.g. `CONNECT 127.0.0.1:8080 HTTP/1.1`. */
  line: string
  /** The header fields, names in lower case. */
  headers: Record<string, string>
}

export interface TestProxy {
  url: string
  port: number
  requests: ProxyRequest[]
  close(): Promise<void>
}

/**
 * A CONNECT proxy on 127.0.0.1. `answer` is how it answers: 'tunnel' (200 and a byte pipe to
 * the target), a status line such as '407 Proxy Authentication Required', or 'hang-up'
 * (closes without answering). With `secure`, an https:// proxy (the test server certificate).
 */
export async function testProxy(answer = 'tunnel', secure = false): Promise<TestProxy> {
  const requests: ProxyRequest[] = []
  const sockets = new Set<Socket>()
  const onClient = (client: Socket): void => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => {})
    let head = Buffer.alloc(0)
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk])
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) return
      client.removeListener('data', onData)
      const [line = '', ...fields] = head.subarray(0, end).toString('latin1').split('\r\n')
      const headers: Record<string, string> = {}
      for (const field of fields) {
        const colon = field.indexOf(':')
        headers[field.slice(0, colon).trim().toLowerCase()] = field.slice(colon + 1).trim()
      }
      requests.push({ line, headers })
      const rest = head.subarray(end + 4)
      if (answer === 'hang-up') {
        client.destroy()
        return
      }
      if (answer !== 'tunnel') {
        client.end(
          `HTTP/1.1 ${answer}\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n`,
        )
        return
      }
      const match = /^CONNECT (\S+):(\d+) HTTP\/1\.1$/.exec(line)
      if (match === null) {
        client.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')
        return
      }
      const upstream = netConnect({ host: match[1] as string, port: Number(match[2]) })
      sockets.add(upstream)
      upstream.on('close', () => sockets.delete(upstream))
      upstream.on('error', () => client.destroy())
      upstream.once('connect', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        if (rest.length > 0) upstream.write(rest)
        client.pipe(upstream)
        upstream.pipe(client)
      })
    }
    client.on('data', onData)
  }
  const server: Server = secure
    ? createTlsServer(
        {
          cert: readFileSync(join(fixtures, 'server.pem')),
          key: readFileSync(join(fixtures, 'server-key.pem')),
        },
        onClient,
      )
    : createServer(onClient)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  return {
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      server.close()
      await once(server, 'close')
    },
  }
}

export const TINYPROXY = '/usr/bin/tinyproxy'
export const haveTinyproxy = existsSync(TINYPROXY)

/** Starts Debian's tinyproxy with a configuration of its own in a temporary folder, on a free port. */
export async function startTinyproxy(): Promise<{
  url: string
  log: () => string
  stop: () => Promise<void>
}> {
  const folder = mkdtempSync(join(tmpdir(), 'wsx-tinyproxy-'))
  const port = await closedPort()
  const config = join(folder, 'tinyproxy.conf')
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Allow 127.0.0.1',
      'Timeout 30',
      'MaxClients 20',
      'LogLevel Info',
      `LogFile "${join(folder, 'log')}"`,
      `PidFile "${join(folder, 'pid')}"`,
      '',
    ].join('\n'),
  )
  const child: ChildProcess = spawn(TINYPROXY, ['-d', '-c', config], { stdio: 'ignore' })
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill()
      await once(child, 'exit')
    }
    rmSync(folder, { recursive: true, force: true })
  }
  // Ready once it accepts connections (bounded).
  const started = Date.now()
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = netConnect({ host: '127.0.0.1', port })
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) break
    if (child.exitCode !== null || Date.now() - started > 5000) {
      await stop()
      throw new Error(`tinyproxy did not start on port ${port}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    url: `http://127.0.0.1:${port}`,
    log: () => {
      try {
        return readFileSync(join(folder, 'log'), 'utf8')
      } catch {
        return ''
      }
    },
    stop,
  }
}
