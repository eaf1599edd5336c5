#include "agent/agent_metrics.hpp"

#include "agent/wal/wal.hpp"

namespace sentinel::agent {

AgentMetrics::AgentMetrics(core::MetricsRegistry& r)
    : collect_duration(r.histogram_family("sentinel_agent_collect_duration_seconds",
                                          "Time one collector took for one tick.", {"collector"},
                                          core::latency_buckets())),
      collect_errors(r.counter_family("sentinel_agent_collect_errors_total",
                                      "Ticks on which a collector failed.", {"collector"})),
      batches_written(
          r.counter("sentinel_agent_batches_written_total", "Batches appended to the WAL.")),
      samples_written(
          r.counter("sentinel_agent_samples_written_total", "Samples appended to the WAL.")),
      batches_sent(r.counter("sentinel_agent_batches_sent_total",
                             "Batches sent to the gateway, resends included.")),
      batches_acked(r.counter_family("sentinel_agent_batches_acked_total",
                                     "Batches the gateway acknowledged, by status.", {"status"})),
      batches_rejected(r.counter("sentinel_agent_batches_rejected_total",
                                 "Batches the gateway refused for good, parked as dead letters.")),
      batches_retried(
          r.counter("sentinel_agent_batches_retried_total", "Batches that must be sent again.")),
      push_requests(r.counter_family("sentinel_agent_push_requests_total",
                                     "Push requests by HTTP status (0: no response).", {"code"})),
      push_duration(r.histogram("sentinel_agent_push_duration_seconds",
                                "Time from sending a push request to its response.",
                                core::latency_buckets())),
      last_push_success(r.gauge("sentinel_agent_last_push_success_timestamp_seconds",
                                "When a push request last succeeded (Unix time).")),
      wal_bytes(r.gauge("sentinel_agent_wal_bytes", "Size of the WAL on disk.")),
      wal_segments(r.gauge("sentinel_agent_wal_segments", "Segment files in the WAL.")),
      wal_backlog_batches(r.gauge("sentinel_agent_wal_backlog_batches",
                                  "Batches in the WAL not yet acknowledged.")),
      wal_backlog_bytes(r.gauge("sentinel_agent_wal_backlog_bytes",
                                "Bytes of the batches not yet acknowledged.")),
      wal_dropped(r.counter_family("sentinel_agent_wal_dropped_batches_total",
                                   "Unacknowledged batches dropped: by a cap, or refused by a full "
                                   "disk or an I/O error.",
                                   {"reason"})),
      wal_corrupt(r.counter("sentinel_agent_wal_corrupt_records_total",
                            "Damaged WAL records found and skipped.")),
      plugin_errors(r.counter_family("sentinel_agent_plugin_errors_total",
                                     "Exec plugin runs or output lines that failed, by reason.",
                                     {"plugin", "reason"})),
      plugin_duration(r.histogram_family("sentinel_agent_plugin_duration_seconds",
                                         "Time an exec plugin ran.", {"plugin"},
                                         core::latency_buckets())),
      heartbeats(r.counter_family("sentinel_agent_heartbeats_total", "Heartbeats sent, by result.",
                                  {"result"})),
      key_rotations(r.counter("sentinel_agent_key_rotations_total", "Key rotations applied.")) {}

void AgentMetrics::mirror(const wal::Wal& wal) {
  const auto stats = wal.stats();
  wal_bytes.set(static_cast<double>(stats.bytes));
  wal_segments.set(static_cast<double>(stats.segments));
  wal_backlog_batches.set(static_cast<double>(stats.backlog_records));
  wal_backlog_bytes.set(static_cast<double>(stats.backlog_bytes));
  const auto& counters = wal.counters();
  wal_dropped.with({"size"}).set_total(static_cast<double>(counters.dropped_size));
  wal_dropped.with({"age"}).set_total(static_cast<double>(counters.dropped_age));
  wal_dropped.with({"disk_full"}).set_total(static_cast<double>(counters.dropped_disk_full));
  wal_dropped.with({"io_error"}).set_total(static_cast<double>(counters.dropped_io_error));
  wal_corrupt.set_total(static_cast<double>(counters.corrupt_records));
}

}  // namespace sentinel::agent
