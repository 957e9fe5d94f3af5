#!/usr/bin/env bash
# Regenerates the TLS test fixtures in test/fixtures/ with openssl. TEST-ONLY material: the private
# keys are committed on purpose and must never protect anything real.
#
#   bash scripts/make-test-certs.sh        (from packages/node-tls, or from anywhere)
#
# Writes, always under these names (overwriting the previous set):
#   ca.pem             self-signed test CA ("ws-stack test CA"); its key is thrown away
#   server.pem         server certificate signed by ca.pem: CN=localhost,
#                      SAN DNS:localhost, IP:127.0.0.1, extendedKeyUsage serverAuth
#   server-key.pem     private key of server.pem (and of wrong-name.pem)
#   wrong-name.pem     server certificate signed by ca.pem for another name only
#                      (SAN DNS:wrong-name.invalid, no IP): host-name verification must fail
#   client.pem         client certificate signed by ca.pem (CN=ws-stack test client, clientAuth)
#   client-key.pem     private key of client.pem
#   other-ca.pem       a second, unrelated self-signed CA that signed nothing we use:
#                      trusting only it must make verification of server.pem fail
#
# Keys are EC P-256, certificates are valid for 20 years (7300 days) from the day of the run.
# The file names are fixed; the bytes change on every run (fresh keys, serials and dates).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$here/../test/fixtures"
out="$(cd "$here/../test/fixtures" && pwd)"
days=7300
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
serial() { echo "0x$(openssl rand -hex 16)"; }

# make_ca <cert-out> <key-out> <common name>
make_ca() {
  newkey "$2"
  openssl req -x509 -new -key "$2" -sha256 -days "$days" -subj "/O=ws-stack tests/CN=$3" \
    -set_serial "$(serial)" \
    -addext 'basicConstraints=critical,CA:TRUE,pathlen:0' \
    -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -addext 'subjectKeyIdentifier=hash' \
    -out "$1"
}

# make_leaf <cert-out> <key> <common name> <extensions>: signed by the test CA
make_leaf() {
  printf '%s\n' "$4" >"$tmp/ext.cnf"
  openssl req -new -key "$2" -sha256 -subj "/O=ws-stack tests/CN=$3" -out "$tmp/leaf.csr"
  openssl x509 -req -in "$tmp/leaf.csr" -CA "$out/ca.pem" -CAkey "$tmp/ca-key.pem" \
    -set_serial "$(serial)" -sha256 -days "$days" -extfile "$tmp/ext.cnf" -out "$1" 2>/dev/null
}

leaf_ext() {
  printf '%s\n' \
    'basicConstraints=critical,CA:FALSE' \
    'keyUsage=critical,digitalSignature' \
    "extendedKeyUsage=$1" \
    'subjectKeyIdentifier=hash' \
    'authorityKeyIdentifier=keyid' \
    "subjectAltName=$2"
}

make_ca "$out/ca.pem" "$tmp/ca-key.pem" 'ws-stack test CA'
make_ca "$out/other-ca.pem" "$tmp/other-ca-key.pem" 'ws-stack unrelated test CA'

newkey "$out/server-key.pem"
make_leaf "$out/server.pem" "$out/server-key.pem" localhost \
  "$(leaf_ext serverAuth 'DNS:localhost,IP:127.0.0.1')"
make_leaf "$out/wrong-name.pem" "$out/server-key.pem" wrong-name.invalid \
  "$(leaf_ext serverAuth 'DNS:wrong-name.invalid')"

newkey "$out/client-key.pem"
make_leaf "$out/client.pem" "$out/client-key.pem" 'ws-stack test client' \
  "$(leaf_ext clientAuth 'DNS:client.invalid')"

# Sanity: every leaf verifies against the test CA, and server.pem does not against the other one.
for leaf in server wrong-name client; do
  openssl verify -CAfile "$out/ca.pem" "$out/$leaf.pem" >/dev/null
done
if openssl verify -CAfile "$out/other-ca.pem" "$out/server.pem" >/dev/null 2>&1; then
  echo 'other-ca.pem must not verify server.pem' >&2
  exit 1
fi
chmod 644 "$out"/*.pem
echo "wrote $(cd "$out" && ls *.pem | tr '\n' ' ')to $out"
