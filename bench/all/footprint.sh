#!/usr/bin/env bash
# Memory and CPU of `sentineld --role=all` monitoring this machine (default config: 10 s agent
# interval, SQLite, in-process bus), sampled every 10 s for SECONDS, against
# prometheus-node-exporter scraped every 10 s by the same loop, in the same run.
#
# Usage: bench/all/footprint.sh BUILD_DIR [SECONDS]
set -euo pipefail

build=${1:?usage: footprint.sh BUILD_DIR [SECONDS]}
seconds=${2:-600}
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"  # work, free_port, wait_for

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# utime + stime in clock ticks (fields 14 and 15 of /proc/PID/stat, after the command's ")").
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

"$build/sentineld" --role=all --listen 127.0.0.1:0 --ready-file "$work/ready" \
  --data-dir "$work/data" --log-level warn >"$work/sentineld.log" 2>&1 &
ours=$!
exporter_port=$(free_port)
prometheus-node-exporter --web.listen-address="127.0.0.1:$exporter_port" >"$work/exporter.log" 2>&1 &
exporter=$!
for _ in $(seq 400); do [ -s "$work/ready" ] && break; sleep 0.05; done

max_ours=0 max_exporter=0
for ((t = 0; t < seconds; t += 10)); do
  sleep 10
  curl -fs "http://127.0.0.1:$exporter_port/metrics" >/dev/null
  max_ours=$(( $(rss_kib $ours) > max_ours ? $(rss_kib $ours) : max_ours ))
  max_exporter=$(( $(rss_kib $exporter) > max_exporter ? $(rss_kib $exporter) : max_exporter ))
done
hz=$(getconf CLK_TCK)
printf 'after %s s          sentineld --role=all   node_exporter\n' "$seconds"
printf 'RSS now (MiB)       %20.1f %15.1f\n' "$(echo "$(rss_kib $ours) / 1024" | bc -l)" \
  "$(echo "$(rss_kib $exporter) / 1024" | bc -l)"
printf 'RSS max (MiB)       %20.1f %15.1f\n' "$(echo "$max_ours / 1024" | bc -l)" \
  "$(echo "$max_exporter / 1024" | bc -l)"
printf 'CPU s per hour      %20.1f %15.1f\n' \
  "$(echo "$(cpu_ticks $ours) / $hz * 3600 / $seconds" | bc -l)" \
  "$(echo "$(cpu_ticks $exporter) / $hz * 3600 / $seconds" | bc -l)"
