/**
 * HTTP proxies for clients: a CONNECT tunnel (RFC 9110 section 9.3.6) through an http:// or
 * https:// proxy, and the curl convention of proxy environment variables as a pure function.
 * For wss:// the caller runs TLS over the tunnelled socket (tls.connect({ socket })).
 */
import { BlockList, isIP, connect as netConnect, type Socket } from 'node:net'
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls'
import { ConnectError } from '@ws/driver'

export interface ProxyTunnelOptions {
  /** Aborts opening the tunnel: the socket is destroyed and the promise rejects with the reason. */
  signal?: AbortSignal
  /** TLS options for an https:// proxy (ca, rejectUnauthorized, servername...). */
  tls?: ConnectionOptions
  /** Extra fields for the CONNECT request (e.g. User-Agent). */
  headers?: Readonly<Record<string, string>>
}

export type ProxyErrorCode =
  /** The proxy answered with a status other than 2xx (`status` says which). */
  | 'WS_ERR_PROXY_STATUS'
  /** The proxy closed the connection before it answered. */
  | 'WS_ERR_PROXY_CLOSED'
  /** The proxy's answer was not an HTTP/1.x response head (or was over 16 KiB). */
  | 'WS_ERR_PROXY_RESPONSE'

/**
 * Opening a tunnel failed. `proxy` names the proxy without its credentials. Network failures
 * reaching the proxy keep the socket's code (ECONNREFUSED, a TLS code...).
 */
export class ProxyError extends ConnectError {
  /** The proxy's URL, without credentials. */
  readonly proxy: string
  constructor(
    code: string,
    proxy: string,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    // A ConnectError of kind 'network', so that connect() passes it on with its own words,
    // which name the proxy (`status` is the proxy's status for WS_ERR_PROXY_STATUS).
    super('network', code, message, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      ...(options.status === undefined ? {} : { status: options.status }),
    })
    this.name = 'ProxyError'
    this.proxy = proxy
  }
}

const MAX_RESPONSE_HEAD = 16 * 1024
const CRLFCRLF = Buffer.from('\r\n\r\n')

/**
 * Opens a CONNECT tunnel to `target` through the proxy at `proxy` (http:// or https://; user
 * and password in the URL are sent as `Proxy-Authorization: Basic`). Resolves with the socket
 * to the proxy, now a byte stream to the target, once the proxy answered 2xx. Rejects with a
 * ProxyError naming the proxy and its status, or saying that it closed the connection; with a
 * TypeError for an unusable proxy URL.
 */
export function openProxyTunnel(
  proxy: string | URL,
  target: { host: string; port: number },
  options: ProxyTunnelOptions = {},
): Promise<Socket> {
  let url: URL
  try {
    url = new URL(String(proxy))
  } catch {
    return Promise.reject(new TypeError(`invalid proxy URL: ${String(proxy)}`))
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(
      new TypeError(`proxy URL scheme must be http: or https:, got ${url.protocol} (${proxyName(url)})`),
    )
  }
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
    return Promise.reject(new RangeError(`target port must be 1-65535, got ${String(target.port)}`))
  }
  const name = proxyName(url)
  const host = unbracket(url.hostname)
  const secure = url.protocol === 'https:'
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port)
  const authority = `${isIP(target.host) === 6 ? `[${target.host}]` : target.host}:${target.port}`
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`]
  if (url.username !== '' || url.password !== '') {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
    lines.push(`Proxy-Authorization: Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`)
  }
  for (const [field, value] of Object.entries(options.headers ?? {})) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(field) || /[\0\r\n]/.test(value)) {
      return Promise.reject(new TypeError(`invalid proxy request header: ${field}`))
    }
    lines.push(`${field}: ${value}`)
  }
  const request = `${lines.join('\r\n')}\r\n\r\n`
  const signal = options.signal

  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const socket: Socket = secure
      ? tlsConnect({
          ALPNProtocols: ['http/1.1'],
          ...options.tls,
          host,
          port,
          ...(options.tls?.servername === undefined && isIP(host) === 0 ? { servername: host } : {}),
        })
      : netConnect({ host, port })
    let head: Buffer = Buffer.alloc(0)
    let settled = false
    const finish = (error?: unknown): void => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      socket.removeListener('readable', onReadable)
      socket.removeListener('error', onError)
      socket.removeListener('end', onEnd)
      socket.removeListener('close', onEnd)
      if (error === undefined) {
        resolve(socket)
      } else {
        socket.destroy()
        reject(error)
      }
    }
    const onAbort = (): void => finish(signal?.reason)
    const onError = (error: Error & { code?: unknown; reason?: unknown }): void => {
      const code = typeof error.code === 'string' ? error.code : 'ERR_NETWORK'
      const detail = typeof error.reason === 'string' ? error.reason : error.message
      finish(new ProxyError(code, name, `cannot reach proxy ${name}: ${detail} (${code})`, { cause: error }))
    }
    const onEnd = (): void =>
      finish(
        new ProxyError(
          'WS_ERR_PROXY_CLOSED',
          name,
          `proxy ${name} closed the connection before answering CONNECT ${authority}`,
        ),
      )
    const onReadable = (): void => {
      while (!settled) {
        const chunk = socket.read() as Buffer | null
        if (chunk === null) return
        const scanFrom = Math.max(0, head.length - 3)
        head = head.length === 0 ? chunk : Buffer.concat([head, chunk])
        const end = head.indexOf(CRLFCRLF, scanFrom)
        if (end < 0) {
          if (head.length > MAX_RESPONSE_HEAD) {
            finish(
              new ProxyError('WS_ERR_PROXY_RESPONSE', name, `proxy ${name} sent a response head over 16 KiB`),
            )
          }
          continue
        }
        if (end > MAX_RESPONSE_HEAD) {
          finish(
            new ProxyError('WS_ERR_PROXY_RESPONSE', name, `proxy ${name} sent a response head over 16 KiB`),
          )
          return
        }
        answered(head.subarray(0, end).toString('latin1'), head.subarray(end + 4))
      }
    }
    const answered = (text: string, rest: Buffer): void => {
      const statusLine = text.slice(0, text.indexOf('\r\n') >>> 0)
      const match = /^HTTP\/1\.[01] ([1-5][0-9][0-9])(?: (.*))?$/.exec(statusLine)
      if (match === null) {
        finish(
          new ProxyError(
            'WS_ERR_PROXY_RESPONSE',
            name,
            `proxy ${name} sent a malformed response: ${JSON.stringify(statusLine.slice(0, 100))}`,
          ),
        )
        return
      }
      const status = Number(match[1])
      if (status < 200 || status > 299) {
        const reason = (match[2] ?? '').trim()
        finish(
          new ProxyError(
            'WS_ERR_PROXY_STATUS',
            name,
            `proxy ${name} refused CONNECT ${authority}: ${status}${reason === '' ? '' : ` ${reason}`}`,
            { status },
          ),
        )
        return
      }
      // Bytes after the head already belong to the tunnel.
      if (rest.length > 0) socket.unshift(rest)
      finish()
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.on('error', onError)
    socket.on('end', onEnd)
    socket.on('close', onEnd)
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      socket.write(request)
      socket.on('readable', onReadable)
    })
  })
}

/** The proxy's URL without credentials, for messages. */
function proxyName(url: URL): string {
  return `${url.protocol}//${url.host}`
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

/** Environment variables, as `process.env` holds them. */
export type ProxyEnvironment = Readonly<Record<string, string | undefined>>

/**
 * The proxy URL to use for a ws:// or wss:// URL according to the environment, as curl reads
 * it: `https_proxy` for wss://, `http_proxy` for ws://, else `all_proxy`; each in lower case,
 * else upper case; empty values count as unset; a value without a scheme is http://. Returns
 * undefined when none applies or `no_proxy` matches the host (see `noProxyMatches`).
 */
export function proxyForUrl(url: string | URL, env: ProxyEnvironment): string | undefined {
  const target = new URL(String(url))
  const secure = target.protocol === 'wss:' || target.protocol === 'https:'
  const read = (name: string): string | undefined => {
    const value = env[name] ?? env[name.toUpperCase()]
    return value === undefined || value.trim() === '' ? undefined : value.trim()
  }
  const proxy = read(secure ? 'https_proxy' : 'http_proxy') ?? read('all_proxy')
  if (proxy === undefined) return undefined
  const port = target.port === '' ? (secure ? 443 : 80) : Number(target.port)
  const noProxy = read('no_proxy')
  if (noProxy !== undefined && noProxyMatches(noProxy, target.hostname, port)) return undefined
  return proxy.includes('://') ? proxy : `http://${proxy}`
}

/**
 * True when a NO_PROXY list matches a host: entries separated by commas or spaces, compared
 * without case; `*` matches every host; a name matches itself and its subdomains (a leading
 * dot is ignored: `.example.com` and `example.com` both match `a.example.com`); an IP address
 * matches itself only (no suffix), a CIDR block its addresses; `host:port` (or `[v6]:port`)
 * only that port.
 */
export function noProxyMatches(list: string, hostname: string, port: number): boolean {
  const host = normalize(unbracket(hostname).toLowerCase())
  for (const raw of list.split(/[\s,]+/)) {
    let entry = raw.toLowerCase()
    if (entry === '') continue
    if (entry === '*') return true
    let entryPort: number | undefined
    if (entry.startsWith('[')) {
      const close = entry.indexOf(']')
      if (close < 0) continue
      const after = entry.slice(close + 1)
      if (after !== '') {
        if (!/^:[0-9]+$/.test(after)) continue
        entryPort = Number(after.slice(1))
      }
      entry = entry.slice(1, close)
    } else if (/^[^:]*:[0-9]+$/.test(entry)) {
      const colon = entry.lastIndexOf(':')
      entryPort = Number(entry.slice(colon + 1))
      entry = entry.slice(0, colon)
    }
    if (entryPort !== undefined && entryPort !== port) continue
    if (entry.includes('/')) {
      if (inBlock(entry, host)) return true
      continue
    }
    const name = normalize(entry.startsWith('.') ? entry.slice(1) : entry)
    if (name === '') continue
    if (host === name) return true
    if (isIP(host) === 0 && host.endsWith(`.${name}`)) return true
  }
  return false
}

function normalize(host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host
}

/** True when `host` is an IP address inside the CIDR block `entry` (IPv4 or IPv6). */
function inBlock(entry: string, host: string): boolean {
  const slash = entry.indexOf('/')
  const network = entry.slice(0, slash)
  const bits = Number(entry.slice(slash + 1))
  const family = isIP(network)
  if (family === 0 || isIP(host) !== family || !/^[0-9]+$/.test(entry.slice(slash + 1))) return false
  if (bits > (family === 4 ? 32 : 128)) return false
  const block = new BlockList()
  const type = family === 4 ? 'ipv4' : 'ipv6'
  block.addSubnet(network, bits, type)
  return block.check(host, type)
}
