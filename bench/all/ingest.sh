#!/usr/bin/env bash
# Ingest throughput of `sentineld --role=all` against VictoriaMetrics single-node (Debian package
# victoria-metrics), both fed the same samples by the same generator (bench_gateway_load) in the
# same run: AGENTS enrolled agents, CONCURRENCY connections, batches of 100 samples.
#
# sentineld's figure counts only samples it has stored: accepted samples divided by the time until
# sentinel_worker_samples_written_total has grown by as many (so a backlog in JetStream counts as
# time). Embedded by default (SQLite, in-process bus: a push is answered only after the commit);
# with SENTINEL_STORE_URL=postgres://... and SENTINEL_BUS_URL=nats://... exported, the same command
# measures the production pipeline (gateway -> JetStream -> worker -> PostgreSQL).
#
# Usage: bench/all/ingest.sh BUILD_DIR [SECONDS] [AGENTS] [CONCURRENCY]
set -euo pipefail

build=${1:?usage: ingest.sh BUILD_DIR [SECONDS] [AGENTS] [CONCURRENCY]}
seconds=${2:-10}
agents=${3:-50}
concurrency=${4:-16}
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"  # work, free_port, wait_for

field() { awk -v k="$1" '$1 == k {print $2}' <<<"$2"; }
written() { curl -fs "$1/metrics" | awk '/^sentinel_worker_samples_written_total / {print $2}'; }
load="$build/bench/gateway/bench_gateway_load"

# VictoriaMetrics first, so that its memory is free again when sentineld runs.
vm_port=$(free_port)
victoria-metrics -httpListenAddr "127.0.0.1:$vm_port" -storageDataPath "$work/vm" \
  -retentionPeriod 1 -loggerLevel ERROR >"$work/vm.log" 2>&1 &
vm_pid=$!
wait_for "http://127.0.0.1:$vm_port/health"
vm=$("$load" "http://127.0.0.1:$vm_port" "$seconds" "$agents" "$concurrency" victoriametrics)
kill "$vm_pid"; wait "$vm_pid" 2>/dev/null || true

export SENTINEL_GATEWAY_RATE_LIMIT_AGENT_RATE=0 SENTINEL_GATEWAY_RATE_LIMIT_IP_RATE=0
token=$("$build/sentineld" --data-dir "$work/data" token bootstrap create --ttl 1h \
  --uses "$agents" --name bench 2>/dev/null)
"$build/sentineld" --role=all --listen 127.0.0.1:0 --ready-file "$work/ready" \
  --data-dir "$work/data" --log-level warn >"$work/sentineld.log" 2>&1 &
sentinel_pid=$!
for _ in $(seq 400); do [ -s "$work/ready" ] && break; sleep 0.05; done
url="http://$(head -n1 "$work/ready")"
wait_for "$url/readyz"

before=$(written "$url")
started=$(date +%s.%N)
ours=$("$load" "$url" "$seconds" "$agents" "$concurrency" "$token")
target=$(echo "$before + $(field samples_per_second "$ours") * $seconds" | bc -l)
until (( $(echo "$(written "$url") >= $target" | bc -l) )); do sleep 0.1; done
elapsed=$(echo "$(date +%s.%N) - $started" | bc -l)
stored_rate=$(echo "($target - $before) / $elapsed" | bc -l)
rss_mib=$(awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$sentinel_pid/status")

vm_rate=$(field samples_per_second "$vm")
printf 'VictoriaMetrics import API:  %.0f samples/s (%s failed requests)\n' "$vm_rate" "$(field failed "$vm")"
printf 'sentineld --role=all stored: %.0f samples/s (%s failed requests; %.1f s until stored)\n' \
  "$stored_rate" "$(field failed "$ours")" "$elapsed"
printf 'sentineld peak RSS:          %s MiB\n' "$rss_mib"
printf 'ratio sentineld/VictoriaMetrics: %.2f\n' "$(echo "$stored_rate / $vm_rate" | bc -l)"
