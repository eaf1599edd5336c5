#!/usr/bin/env bash
# Signed pushes per second through the gateway into JetStream (sentineld --role=gateway, a
# nats-server of its own) against the trivial Beast handler (bench_http_reference) under the
# same load generator, in the same run. Target: ratio >= 0.7. The gateway's store (agents, keys,
# replay nonces) is SQLite unless SENTINEL_STORE_URL names another, e.g. postgres://...
#
# Usage: bench/gateway/push.sh BUILD_DIR [SECONDS] [AGENTS] [CONCURRENCY]
set -euo pipefail

build=${1:?usage: push.sh BUILD_DIR [SECONDS] [AGENTS] [CONCURRENCY]}
seconds=${2:-10}
agents=${3:-200}
concurrency=${4:-32}
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"  # work, free_port, wait_for

nats_port=$(free_port)
nats-server -a 127.0.0.1 -p "$nats_port" -js -sd "$work/nats" >"$work/nats.log" 2>&1 &
export SENTINEL_STORE_URL="${SENTINEL_STORE_URL:-sqlite://$work/gateway.db}"
export SENTINEL_BUS_URL="nats://127.0.0.1:$nats_port"
export SENTINEL_MASTER_KEY=bench-master-key-0123456789abcdef0123456789
export SENTINEL_GATEWAY_RATE_LIMIT_AGENT_RATE=0 SENTINEL_GATEWAY_RATE_LIMIT_IP_RATE=0
token=$("$build/sentineld" --data-dir "$work/data" token bootstrap create --ttl 1h \
  --uses "$agents" --name bench 2>/dev/null)
"$build/sentineld" --role=gateway --listen 127.0.0.1:0 --ready-file "$work/ready" \
  --data-dir "$work/data" --log-level warn >"$work/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 200); do [ -s "$work/ready" ] && break; sleep 0.05; done
gateway_url="http://$(head -n1 "$work/ready")"
wait_for "$gateway_url/readyz"

ref_port=$(free_port)
"$build/bench/http/bench_http_reference" "$ref_port" 2 &
wait_for "http://127.0.0.1:$ref_port/healthz"

load="$build/bench/gateway/bench_gateway_load"
reference=$("$load" "http://127.0.0.1:$ref_port" "$seconds" "$agents" "$concurrency" -)
# The gateway's own CPU time (user + system, in clock ticks) over its load: on a machine the
# generator, nats-server and the store share, CPU per push varies less than pushes per second.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$gateway_pid/stat"; }
ticks_before=$(cpu_ticks)
gateway=$("$load" "$gateway_url" "$seconds" "$agents" "$concurrency" "$token")
ticks=$(($(cpu_ticks) - ticks_before))
ref_pushes=$(awk '/pushes_per_second/ {print $2}' <<<"$reference")
gw_pushes=$(awk '/pushes_per_second/ {print $2}' <<<"$gateway")
printf 'reference (trivial Beast handler): %s pushes/s\n' "$ref_pushes"
printf 'gateway (verify + JetStream):      %s pushes/s, %s samples/s, %s failed\n' "$gw_pushes" \
  "$(awk '/samples_per_second/ {print $2}' <<<"$gateway")" "$(awk '/failed/ {print $2}' <<<"$gateway")"
printf 'gateway CPU per push:              %.0f us\n' \
  "$(echo "$ticks * 1000000 / $(getconf CLK_TCK) / ($gw_pushes * $seconds)" | bc -l)"
printf 'ratio gateway/reference:           %.2f\n' "$(echo "$gw_pushes / $ref_pushes" | bc -l)"
