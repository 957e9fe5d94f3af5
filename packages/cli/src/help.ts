/** The help texts of `wsx`, `wsx serve` and `wsx connect` (printed on stdout, exit 0). */

export const MAIN_HELP = `wsx: a WebSocket echo server and line-oriented client, for ws:// and wss://

Usage:
  wsx serve [options]          run an echo server
  wsx connect URL [options]    send stdin lines as messages, print the messages received
  wsx COMMAND --help           the options of a command

Examples:
  wsx serve --port 9000
  echo hello | wsx connect ws://127.0.0.1:9000/

Exit status: 0 success, 1 failure (connection, handshake, abnormal close), 2 bad command line.
`

export const SERVE_HELP = `Usage: wsx serve [--host H] [--port P] [--tls-cert FILE --tls-key FILE] [--no-deflate]
                 [--max-message BYTES]

Runs a WebSocket echo server: every text and binary message comes back with the same type.
Pings are answered. permessage-deflate is accepted when a client offers it. A client that breaks
the protocol is closed with the matching close code; the others keep being served.

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
  -h, --help           show this help

Examples:
  wsx serve                                            # ws://127.0.0.1:8080
  wsx serve --port 0                                   # a free port, printed on stdout
  wsx serve --port 8443 --tls-cert cert.pem --tls-key key.pem
  wsx serve --host 0.0.0.0 --max-message 65536 --no-deflate
`

export const CONNECT_HELP = `Usage: wsx connect URL [--no-deflate] [--ca FILE] [--insecure] [--protocol P]...
                   [--header 'K: V']...

Connects to a ws:// or wss:// URL. Each line of stdin is sent as one text message (without its
line ending, \\n or \\r\\n). Each text message received is printed as one line on stdout, each
binary message as one line binary:<lowercase hex>. At the end of stdin it sends close 1000,
waits up to 5 s for the server's close, and exits 0.

If the server closes first, it prints "closed CODE REASON" on stderr and exits 0 for 1000 or
1001, 1 for any other code. A failed connection or handshake prints one line on stderr and
exits 1.

Options:
  --no-deflate         do not offer permessage-deflate (offered by default)
  --ca FILE            PEM file of the CA certificate(s) to trust for wss://
  --insecure           wss:// without verifying the server's certificate (tests only)
  --protocol P         offer subprotocol P; repeat for several, in order of preference
  --header 'K: V'      add a header to the opening request; repeat for several
  -h, --help           show this help

Examples:
  echo hello | wsx connect ws://127.0.0.1:8080/
  wsx connect wss://localhost:8443/chat --ca ca.pem --protocol chat.v2 --protocol chat
  printf 'a\\nb\\n' | wsx connect ws://127.0.0.1:8080/ --header 'Authorization: Bearer t0k3n'
`
