#pragma once
// The agent's self-metrics (sentinel_agent_*), created once and shared by its parts.

#include "sentinel/core/metrics.hpp"

namespace sentinel::agent {

namespace wal {
class Wal;
}

struct AgentMetrics {
  explicit AgentMetrics(core::MetricsRegistry& registry);

  // Copies the WAL's sizes and totals into the gauges and counters below.
  void mirror(const wal::Wal& wal);

  core::Family<core::Histogram>& collect_duration;  // {collector}
  core::Family<core::Counter>& collect_errors;      // {collector}
  core::Counter& batches_written;
  core::Counter& samples_written;
  core::Counter& batches_sent;
  core::Family<core::Counter>& batches_acked;  // {status}
  core::Counter& batches_rejected;
  core::Counter& batches_retried;
  core::Family<core::Counter>& push_requests;  // {code}
  core::Histogram& push_duration;
  core::Gauge& last_push_success;
  core::Gauge& wal_bytes;
  core::Gauge& wal_segments;
  core::Gauge& wal_backlog_batches;
  core::Gauge& wal_backlog_bytes;
  core::Family<core::Counter>& wal_dropped;  // {reason}
  core::Counter& wal_corrupt;
  core::Family<core::Counter>& plugin_errors;      // {plugin, reason}
  core::Family<core::Histogram>& plugin_duration;  // {plugin}
  core::Family<core::Counter>& heartbeats;         // {result}
  core::Counter& key_rotations;
};

}  // namespace sentinel::agent
