/** The help texts of `wsx` and of each command (printed on stdout, exit 0). */

export const MAIN_HELP = `wsx: a WebSocket echo server and line-oriented client, for ws:// and wss://

Usage:
  wsx serve [options]          run an echo server (or a chat room with --broadcast)
  wsx connect URL [options]    send stdin lines as messages, print the messages received;
                               on a terminal, an interactive prompt
  wsx bench URL [options]      load an echo server and measure it
  wsx COMMAND --help           the options of a command
  wsx --version                the version

Examples:
  wsx serve --port 9000
  echo hello | wsx connect ws://127.0.0.1:9000/
  wsx connect ws://127.0.0.1:9000/              # interactive, on a terminal
  wsx bench ws://127.0.0.1:9000/ --connections 50 --seconds 10
  wsx connect --h2 wss://localhost:8443/ --ca ca.pem   # WebSocket over HTTP/2
  wsx connect wss://example.test/ --proxy http://proxy.test:3128

Exit status: 0 success, 1 failure (connection, handshake, abnormal close), 2 bad command line.
`

export const SERVE_HELP = `Usage: wsx serve [--host H] [--port P] [--tls-cert FILE --tls-key FILE] [--no-deflate]
                 [--max-message BYTES] [--broadcast] [--protocol P]... [--keepalive SECONDS]
                 [--max-connections N] [--log | --jsonl] [--h2c]

Runs a WebSocket echo server: every text and binary message comes back with the same type.
Pings are answered. permessage-deflate is accepted when a client offers it. A client that breaks
the protocol is closed with the matching close code; the others keep being served.

With --tls-cert and --tls-key it serves HTTP/2 and HTTP/1.1 on the same port (chosen by ALPN),
with WebSockets on both (RFC 8441 extended CONNECT over HTTP/2). With --h2c (no TLS) it also
accepts HTTP/2 with prior knowledge. In both cases a request that is not a WebSocket handshake
gets 426 Upgrade Required with a short text body, on either protocol.

Once ready, it prints exactly one line on stdout, with the port really bound:
  listening on ws://HOST:PORT        (wss://HOST:PORT with --tls-cert and --tls-key)
On SIGINT or SIGTERM it closes every open connection with 1001 and exits 0.

Options:
  --host H             address to listen on (default 127.0.0.1)
  --port P             TCP port; 0 picks a free one (default 8080)
  --tls-cert FILE      PEM certificate (chain) to serve wss://; needs --tls-key
  --tls-key FILE       PEM private key of --tls-cert
  --no-deflate         do not accept permessage-deflate
  --max-message BYTES  largest message accepted; a bigger one closes that client with 1009
                       (default 16777216, 16 MiB)
  --broadcast          a chat room: every message goes to every other client, not back
  --protocol P         a subprotocol we speak; repeat for several. The first of the client's
                       offers that is in this list is accepted (none when none matches)
  --keepalive SECONDS  ping a client after that much silence; no answer in as long again
                       closes it with 1011
  --max-connections N  at most N open connections; beyond, the handshake gets 503 and a text body
  --log                one line on stderr per connection opened and closed: remote address,
                       path, subprotocol, extensions; at the close also the code, the duration,
                       and the messages and bytes each way
  --jsonl              the same as --log, as JSON lines
  --h2c                cleartext HTTP/2 with prior knowledge too, next to HTTP/1.1 (with TLS,
                       HTTP/2 is always on)
  -h, --help           show this help

Examples:
  wsx serve                                            # ws://127.0.0.1:8080
  wsx serve --port 0                                   # a free port, printed on stdout
  wsx serve --port 8443 --tls-cert cert.pem --tls-key key.pem
  wsx serve --host 0.0.0.0 --max-message 65536 --no-deflate
  wsx serve --broadcast --protocol chat.v2 --protocol chat --log
  wsx serve --keepalive 30 --max-connections 1000 --jsonl 2>connections.jsonl
  wsx serve --port 8443 --tls-cert cert.pem --tls-key key.pem   # HTTP/2 and HTTP/1.1
  wsx serve --port 9000 --h2c                          # then: wsx connect --h2 ws://127.0.0.1:9000/
`

export const CONNECT_HELP = `Usage: wsx connect URL [--no-deflate] [--ca FILE] [--insecure] [--protocol P]...
                   [--header 'K: V']... [--origin O] [--auth USER:PASS] [--timeout SECONDS]
                   [--binary [--chunk BYTES] | --hex | --base64] [--jsonl] [--show-control]
                   [--keepalive SECONDS] [--reconnect [--max-retries N]] [--max-message BYTES]
                   [--h2 | --proxy URL | --no-proxy]

Connects to a ws:// or wss:// URL. Each line of stdin is sent as one text message (without its
line ending, \\n or \\r\\n). Each text message received is printed as one line on stdout, each
binary message as one line binary:<lowercase hex>. At the end of stdin it sends close 1000,
waits up to 5 s for the server's close, and exits 0. SIGINT and SIGTERM do the same.

If the server closes first, it prints "closed CODE REASON" on stderr and exits 0 for 1000 or
1001, 1 for any other code. A failed connection or handshake prints one line on stderr and
exits 1.

When stdin and stdout are a terminal, it is interactive: a prompt, the messages received printed
above it, colours (not with NO_COLOR set), and commands: /ping [text], /close [code [reason]],
/binary HEX, /quit, /help (//text sends "/text"). Ctrl-D closes with 1000.

Proxies: --proxy URL tunnels through an http:// or https:// proxy with CONNECT; a user and
password in its URL are sent as Proxy-Authorization: Basic. Without --proxy, as curl does, it
uses HTTPS_PROXY for wss://, HTTP_PROXY for ws://, else ALL_PROXY, unless NO_PROXY matches the
host (each in upper or lower case; NO_PROXY: names with their subdomains, IP addresses, CIDR
blocks, host:port, or *). A proxy that refuses (any status but 2xx) or closes the connection:
one line on stderr naming the proxy and its status, exit 1.

Options:
  --no-deflate         do not offer permessage-deflate (offered by default)
  --ca FILE            PEM file of the CA certificate(s) to trust for wss://
  --insecure           wss:// without verifying the server's certificate (tests only)
  --protocol P         offer subprotocol P; repeat for several, in order of preference
  --header 'K: V'      add a header to the opening request; repeat for several
  --origin O           send Origin: O
  --auth USER:PASS     HTTP Basic authentication (Authorization: Basic ...)
  --timeout SECONDS    time for the TCP, TLS and WebSocket handshakes together (default 10)
  --binary             stdin is raw bytes, sent as binary messages of at most --chunk bytes;
                       binary messages received are written raw to stdout
  --chunk BYTES        largest binary message made from stdin with --binary (default 65536)
  --hex                each stdin line is hex, sent as one binary message; binary messages
                       received are printed as hex lines (a line that is not hex is not sent)
  --base64             the same with base64 (RFC 4648, with padding)
  --jsonl              every event as a JSON line on stdout, with "time" and "type": open
                       (protocol, extensions, status), text (data), binary (base64), ping and
                       pong (base64), close (code, reason, wasClean)
  --show-control       print pings, pongs and the close frame on stderr: "< ping DATA",
                       "< pong DATA", "< close CODE REASON", and "> ping DATA" for /ping
  --keepalive SECONDS  ping after that much silence; no answer in as long again closes with
                       1011 and exits 1
  --reconnect          when the connection is lost or the server closes, connect again after
                       an exponential back-off with jitter (0.25 s doubling, at most 15 s);
                       what is typed meanwhile is sent after reconnecting, in order
  --max-retries N      give up (exit 1) after N failed attempts in a row (default: never)
  --max-message BYTES  largest message accepted; a bigger one closes with 1009 and exits 1
                       (default 16777216, 16 MiB)
  --h2                 WebSocket over HTTP/2 (RFC 8441): TLS with ALPN h2 for wss://, HTTP/2
                       with prior knowledge (h2c) for ws://. No fallback to HTTP/1.1: a server
                       without HTTP/2 extended CONNECT is one line on stderr and exit 1. Never
                       through a proxy (the proxy variables are not read)
  --proxy URL          tunnel through this http:// or https:// proxy
  --no-proxy           ignore HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY
  -h, --help           show this help

Examples:
  echo hello | wsx connect ws://127.0.0.1:8080/
  wsx connect wss://localhost:8443/chat --ca ca.pem --protocol chat.v2 --protocol chat
  printf 'a\\nb\\n' | wsx connect ws://127.0.0.1:8080/ --header 'Authorization: Bearer t0k3n'
  wsx connect ws://127.0.0.1:8080/ --binary < photo.jpg > echoed.jpg
  echo 'deadbeef' | wsx connect ws://127.0.0.1:8080/ --hex
  wsx connect ws://127.0.0.1:8080/ --jsonl --show-control --keepalive 20 < /dev/null
  tail -f app.log | wsx connect ws://127.0.0.1:8080/ingest --reconnect --max-retries 10
  wsx connect ws://example.test/ --origin https://example.test --auth alice:s3cret --timeout 3
  echo hello | wsx connect --h2 wss://localhost:8443/ --ca ca.pem
  wsx connect wss://example.test/feed --proxy http://alice:s3cret@proxy.test:3128
  HTTPS_PROXY=http://proxy.test:3128 NO_PROXY=localhost,10.0.0.0/8 wsx connect wss://example.test/
  wsx connect ws://127.0.0.1:8080/ --no-proxy           # even with HTTP_PROXY set
`

export const BENCH_HELP = `Usage: wsx bench URL [--connections N] [--in-flight K] [--size BYTES] [--seconds S]
                 [--binary] [--no-deflate] [--threads T] [--json] [--ca FILE] [--insecure]

Loads an echo server (wsx serve, or any server that sends every message back) and measures it.
N connections are spread over T worker threads; each connection keeps K messages of BYTES bytes
on the way, sending the next one as each echo arrives. Every echo is checked (type, length and
content) and a mismatch counts as an error. After S seconds it stops sending, takes the echoes
still on the way, and closes each connection with 1000.

On a terminal, a live progress line on stderr. At the end, a summary on stdout: messages per
second, MB/s of payload echoed, latency p50, p90, p99 and max (from send to echo), errors, and
closes by code. Exit status 0 when there was no error, 1 otherwise.

Options:
  -c, --connections N  connections (default 10)
  --in-flight K        messages on the way per connection (default 1)
  --size BYTES         payload of each message, at least 16 (default 64)
  --seconds S          how long to load (default 5)
  --binary             binary messages (default text)
  --no-deflate         do not offer permessage-deflate
  --threads T          worker threads (default: one per core; never more than connections)
  --json               the summary as one JSON object: messagesPerSecond, bytesPerSecond,
                       latencyMs (p50, p90, p99, max), errors, connections, closes, and more
  --ca FILE            PEM file of the CA certificate(s) to trust for wss://
  --insecure           wss:// without verifying the server's certificate (tests only)
  -h, --help           show this help

Examples:
  wsx bench ws://127.0.0.1:8080/
  wsx bench ws://127.0.0.1:8080/ --connections 100 --in-flight 8 --size 1024 --seconds 10
  wsx bench ws://127.0.0.1:8080/ --binary --no-deflate --threads 2 --json
`
