#!/usr/bin/env bash
# Requests per second of sentineld's GET /healthz under wrk, against the trivial Beast handler
# (bench_http_reference) with the same thread count, measured in the same run.
#
# Usage: bench/http/baseline.sh BUILD_DIR [SECONDS] [CONNECTIONS]
#   BUILD_DIR holds sentineld and bench/http/bench_http_reference (use a release build:
#   cmake --preset release -DSENTINEL_BUILD_BENCH=ON ... or the dev build for a rough figure).
set -euo pipefail

build=${1:?usage: baseline.sh BUILD_DIR [SECONDS] [CONNECTIONS]}
seconds=${2:-10}
connections=${3:-64}
threads=2
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"  # work, free_port, wait_for

# wrk prints "Requests/sec:  12345.67"
rps() { wrk -t2 -c"$connections" -d"${seconds}s" "$1" | awk '/Requests\/sec/ {print $2}'; }

ref_port=$(free_port)
"$build/bench/http/bench_http_reference" "$ref_port" "$threads" &
wait_for "http://127.0.0.1:$ref_port/healthz"

"$build/sentineld" --role=agent --listen 127.0.0.1:0 --ready-file "$work/ready" \
  --data-dir "$work/data" --log-level warn >"$work/sentineld.log" 2>&1 &
for _ in $(seq 200); do [ -s "$work/ready" ] && break; sleep 0.05; done
sentinel_url="http://$(head -n1 "$work/ready")/healthz"
wait_for "$sentinel_url"

reference=$(rps "http://127.0.0.1:$ref_port/healthz")
sentinel=$(rps "$sentinel_url")
printf 'reference (trivial Beast handler): %s req/s\n' "$reference"
printf 'sentineld GET /healthz:            %s req/s\n' "$sentinel"
printf 'ratio sentineld/reference:         %.2f\n' "$(echo "$sentinel / $reference" | bc -l)"
