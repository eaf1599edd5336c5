#pragma once
// The worker's metrics, owned by the component.

#include "sentinel/core/metrics.hpp"
#include "sentinel/store/ingest.hpp"

namespace sentinel::worker {

struct WorkerMetrics {
  explicit WorkerMetrics(core::MetricsRegistry& registry);

  void ingested(const store::IngestReport& report, double seconds);

  core::Counter& fetched;
  core::Counter& acked;
  core::Counter& naked;
  core::Counter& dead_lettered;
  core::Counter& duplicates;
  core::Counter& samples_written;
  core::Counter& samples_dropped;
  core::Counter& cache_hits;
  core::Counter& cache_misses;
  core::Histogram& transaction_seconds;
  core::Gauge& pending;
  core::Gauge& ack_pending;
  core::Gauge& leader;
  core::Counter& duty_failures;
};

}  // namespace sentinel::worker
