#!/usr/bin/env bash
# Creates development TLS material for sentineld's mTLS tests and local runs. Never for production.
#
# Usage: scripts/gen-dev-certs.sh [--force] OUTDIR
#
# OUTDIR receives (EC P-256 keys, SHA-256 signatures, at most 825 days):
#   ca.crt ca.key                  development CA
#   server.crt server.key          CN=localhost, SAN DNS:localhost IP:127.0.0.1, serverAuth
#   client.crt client.key          signed by ca.crt, clientAuth
#   untrusted-ca.crt untrusted-ca.key, untrusted-client.crt untrusted-client.key
#                                  a second CA nobody trusts and a client cert from it, so tests
#                                  can check that a server rejects a well-formed stranger
# Idempotent: a cert/key pair that exists, matches, verifies against its CA and is valid for
# another day is kept; only missing or broken pairs are made, and a new CA remakes its leaves.
# --force remakes everything.
set -euo pipefail
shopt -s inherit_errexit

readonly MAX_DAYS=825   # the most that Apple/Chrome accept for a TLS leaf; keep CAs to it too

FORCE=0
OUT=
WORK=

say() { printf 'gen-dev-certs: %s\n' "$*" >&2; }
die() { printf 'gen-dev-certs: error: %s\n' "$*" >&2; exit 1; }

usage() {
  printf 'usage: %s [--force] OUTDIR\n' "${0##*/}" >&2
  exit 2
}

# One config holds every extension profile, so the result does not depend on the machine's
# /etc/ssl/openssl.cnf defaults.
write_config() {
  cat >"$WORK/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no

[dn]
CN = unused

[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

new_key() {
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null)
}

# A random 128-bit serial: no serial file to keep, and no two dev certs ever share one.
serial() { printf '0x%s' "$(openssl rand -hex 16)"; }

# pair_ok NAME: NAME.crt and NAME.key exist, belong together and stay valid for another day.
pair_ok() {
  local crt=$OUT/$1.crt key=$OUT/$1.key
  [[ -s $crt && -s $key ]] || return 1
  openssl x509 -noout -checkend 86400 -in "$crt" >/dev/null 2>&1 || return 1
  [[ $(openssl x509 -noout -pubkey -in "$crt" 2>/dev/null) == \
     "$(openssl pkey -pubout -in "$key" 2>/dev/null)" ]]
}

# leaf_ok NAME CA: pair_ok, and NAME.crt verifies against CA.crt.
leaf_ok() {
  pair_ok "$1" && openssl verify -CAfile "$OUT/$2.crt" "$OUT/$1.crt" >/dev/null 2>&1
}

# Days left on CA.crt, capped at MAX_DAYS, so that a leaf never outlives its issuer.
leaf_days() {
  local end now days
  end=$(date -d "$(openssl x509 -noout -enddate -in "$OUT/$1.crt" | cut -d= -f2)" +%s)
  now=$(date +%s)
  days=$(( (end - now) / 86400 ))
  (( days < MAX_DAYS )) || days=$MAX_DAYS
  printf '%s' "$days"
}

# Writes NAME.key and NAME.crt into WORK, then moves both into OUT together, so an interrupted
# run never leaves a key beside a certificate it does not match.
install_pair() {
  chmod 0600 "$WORK/$1.key"
  chmod 0644 "$WORK/$1.crt"
  mv -f "$WORK/$1.key" "$OUT/$1.key"
  mv -f "$WORK/$1.crt" "$OUT/$1.crt"
}

make_ca() {
  local name=$1 subject=$2
  say "making CA $name ($subject)"
  new_key "$WORK/$name.key"
  openssl req -new -x509 -config "$WORK/openssl.cnf" -extensions ca_ext -sha256 \
    -key "$WORK/$name.key" -subj "$subject" -days "$MAX_DAYS" -set_serial "$(serial)" \
    -out "$WORK/$name.crt"
  install_pair "$name"
}

make_leaf() {
  local name=$1 ca=$2 profile=$3 subject=$4
  say "making $name ($subject, signed by $ca)"
  new_key "$WORK/$name.key"
  openssl req -new -config "$WORK/openssl.cnf" -key "$WORK/$name.key" -subj "$subject" \
    -out "$WORK/$name.csr"
  openssl x509 -req -in "$WORK/$name.csr" -CA "$OUT/$ca.crt" -CAkey "$OUT/$ca.key" \
    -set_serial "$(serial)" -days "$(leaf_days "$ca")" -sha256 \
    -extfile "$WORK/openssl.cnf" -extensions "$profile" -out "$WORK/$name.crt" 2>/dev/null
  install_pair "$name"
}

# chain CA CA_SUBJECT [LEAF PROFILE SUBJECT]...: keeps or makes one CA and its leaves.
chain() {
  local ca=$1 ca_subject=$2 remade=0
  shift 2
  if (( FORCE )) || ! pair_ok "$ca"; then
    make_ca "$ca" "$ca_subject"
    remade=1
  fi
  while (( $# )); do
    if (( FORCE || remade )) || ! leaf_ok "$1" "$ca"; then
      make_leaf "$1" "$ca" "$2" "$3"
    else
      say "keeping $1.crt"
    fi
    shift 3
  done
}

# The set is usable only if these hold; checked on every run, including one that changed nothing.
self_check() {
  openssl verify -CAfile "$OUT/ca.crt" -purpose sslserver "$OUT/server.crt" >/dev/null ||
    die "server.crt does not verify as a TLS server cert against ca.crt"
  openssl verify -CAfile "$OUT/ca.crt" -purpose sslclient "$OUT/client.crt" >/dev/null ||
    die "client.crt does not verify as a TLS client cert against ca.crt"
  openssl verify -CAfile "$OUT/untrusted-ca.crt" -purpose sslclient "$OUT/untrusted-client.crt" \
    >/dev/null || die "untrusted-client.crt does not verify against untrusted-ca.crt"
  if openssl verify -CAfile "$OUT/ca.crt" "$OUT/untrusted-client.crt" >/dev/null 2>&1; then
    die "untrusted-client.crt verifies against ca.crt; the negative tests would be meaningless"
  fi
  say "verified: server and client chain to ca.crt; untrusted-client does not"
}

main() {
  while (( $# )); do
    case $1 in
      --force) FORCE=1 ;;
      -h | --help) usage ;;
      -*) usage ;;
      *) [[ -z $OUT ]] || usage; OUT=$1 ;;
    esac
    shift
  done
  [[ -n $OUT ]] || usage
  command -v openssl >/dev/null || die "openssl is not installed"

  mkdir -p "$OUT"
  WORK=$(mktemp -d "$OUT/.gen-dev-certs.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
  write_config

  chain ca "/O=sentineld development/CN=sentineld dev CA" \
    server server_ext "/O=sentineld development/CN=localhost" \
    client client_ext "/O=sentineld development/CN=sentineld dev client"
  chain untrusted-ca "/O=sentineld untrusted/CN=sentineld untrusted dev CA" \
    untrusted-client client_ext "/O=sentineld untrusted/CN=sentineld untrusted client"

  self_check
  say "certificates in $OUT"
}

main "$@"
