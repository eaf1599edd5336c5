#!/usr/bin/env bash
# Alert latency of `sentineld --role=all` against Prometheus 2.42 + Alertmanager 0.25 (Debian
# packages), both watching the same value in the same run (bench_alert_latency does the rounds).
#
# The value lives in one node_exporter textfile. sentineld's agent reads it with an exec plugin
# every 1 s; its rule (`last` > 0.5, for 0s) notifies a webhook. Prometheus scrapes
# node_exporter's textfile collector every 1 s, evaluates `bench_watched > 0.5` (for 0s) every
# 1 s and sends to Alertmanager (group_wait 0s, group_interval $AM_GROUP_INTERVAL, default 1s),
# whose webhook goes to the same receiver. An alert that fires again joins the group its last
# episode left (Alertmanager drops empty groups only every 30 s) and waits for that group's next
# interval. Both are tuned as fast as their configuration goes; sentineld's two latency knobs
# default as below and can be set in the environment to measure other values:
#   SENTINEL_ALERT_MIN_EVALUATION_GAP (default 50ms; here 0ms): evaluate as soon as samples came
#   SENTINEL_NOTIFY_POLL_INTERVAL (default 100ms; here 10ms): how often the outbox is read
#
# Embedded by default (SQLite, in-process bus); with SENTINEL_STORE_URL=postgres://... and
# SENTINEL_BUS_URL=nats://... exported, the production pipeline (agent -> gateway -> JetStream ->
# alert leader -> notifier); each such run needs an empty database, since a host enrols once.
#
# Usage: bench/alert/latency.sh BUILD_DIR [ROUNDS]
set -euo pipefail

build=${1:?usage: latency.sh BUILD_DIR [ROUNDS]}
rounds=${2:-30}
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"  # work, free_port, wait_for

export SENTINEL_ALERT_MIN_EVALUATION_GAP=${SENTINEL_ALERT_MIN_EVALUATION_GAP:-0ms}
export SENTINEL_NOTIFY_POLL_INTERVAL=${SENTINEL_NOTIFY_POLL_INTERVAL:-10ms}
am_group_interval=${AM_GROUP_INTERVAL:-1s}

receiver_port=$(free_port)
value_file="$work/textfile/watched.prom"
mkdir -p "$work/textfile"
printf '# TYPE bench_watched gauge\nbench_watched 0\n' >"$value_file"

start_prometheus_side() {
  local exporter_port prometheus_port alertmanager_port
  exporter_port=$(free_port) prometheus_port=$(free_port) alertmanager_port=$(free_port)
  cat >"$work/alertmanager.yml" <<EOF
route:
  receiver: bench
  group_by: [alertname]
  group_wait: 0s
  group_interval: $am_group_interval
  repeat_interval: 24h
receivers:
  - name: bench
    webhook_configs:
      - url: http://127.0.0.1:$receiver_port/alertmanager
        send_resolved: true
EOF
  cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [$work/rules.yml]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:$alertmanager_port']
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$exporter_port']
EOF
  cat >"$work/rules.yml" <<EOF
groups:
  - name: bench
    rules:
      - alert: BenchWatched
        expr: bench_watched > 0.5
        for: 0s
EOF
  # Only the textfile collector: the scrape is as short as it gets.
  prometheus-node-exporter --web.listen-address="127.0.0.1:$exporter_port" \
    --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$work/textfile" >"$work/exporter.log" 2>&1 &
  # An empty cluster address: a single Alertmanager, no gossip to settle before it notifies.
  prometheus-alertmanager --config.file="$work/alertmanager.yml" --storage.path="$work/am" \
    --web.listen-address="127.0.0.1:$alertmanager_port" --cluster.listen-address= \
    --log.level=warn >"$work/alertmanager.log" 2>&1 &
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus" \
    --web.listen-address="127.0.0.1:$prometheus_port" --log.level=warn \
    >"$work/prometheus.log" 2>&1 &
  wait_for "http://127.0.0.1:$exporter_port/metrics"
  wait_for "http://127.0.0.1:$alertmanager_port/-/ready"
  wait_for "http://127.0.0.1:$prometheus_port/-/ready"
}

start_sentineld() {
  cat >"$work/sentineld.yml" <<EOF
agent:
  exec:
    - name: watched
      command: [/bin/cat, $value_file]
      interval: 1s
      format: prometheus
EOF
  token=$("$build/sentineld" --data-dir "$work/data" token create --role admin --ttl 1h \
    --name bench 2>&1 | grep -o 'stk_[A-Za-z0-9_-]*')
  "$build/sentineld" --role=all --config "$work/sentineld.yml" --listen 127.0.0.1:0 \
    --ready-file "$work/ready" --data-dir "$work/data" --log-level warn >"$work/sentineld.log" 2>&1 &
  for _ in $(seq 400); do [ -s "$work/ready" ] && break; sleep 0.05; done
  address=$(head -n1 "$work/ready")
  wait_for "http://$address/readyz"
}

api() {
  curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "$2" "http://$address$1" >/dev/null
}

start_prometheus_side
start_sentineld
api /api/v1/notifiers "{\"name\": \"bench\", \"type\": \"webhook\", \"group_wait\": \"0s\",
  \"send_resolved\": true, \"settings\": {\"url\": \"http://127.0.0.1:$receiver_port/sentinel\"}}"
api /api/v1/rules '{"name": "BenchWatched", "metric": "bench_watched", "aggregation": "last",
  "window": "10s", "op": ">", "threshold": 0.5, "for": "0s", "notifiers": ["bench"]}'

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); alert.min_evaluation_gap" \
  "$SENTINEL_ALERT_MIN_EVALUATION_GAP, notify.poll_interval $SENTINEL_NOTIFY_POLL_INTERVAL," \
  "Alertmanager group_interval $am_group_interval"
"$build/bench/alert/bench_alert_latency" "$receiver_port" "$value_file" "$address" "$token" "$rounds"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
