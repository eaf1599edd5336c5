#include "worker_metrics.hpp"

namespace sentinel::worker {
namespace {

core::Family<core::Counter>& messages(core::MetricsRegistry& registry) {
  return registry.counter_family("sentinel_worker_messages_total",
                                 "Bus messages by outcome: fetched, acked (committed), naked "
                                 "(redelivered later), dead_lettered.",
                                 {"result"});
}

core::Family<core::Counter>& lookups(core::MetricsRegistry& registry) {
  return registry.counter_family("sentinel_worker_series_cache_lookups_total",
                                 "Series id lookups in the worker's cache, by result.", {"result"});
}

}  // namespace

WorkerMetrics::WorkerMetrics(core::MetricsRegistry& registry)
    : fetched(messages(registry).with({"fetched"})),
      acked(messages(registry).with({"acked"})),
      naked(messages(registry).with({"naked"})),
      dead_lettered(messages(registry).with({"dead_lettered"})),
      duplicates(registry.counter("sentinel_worker_duplicate_batches_total",
                                  "Batches delivered again after they were stored; skipped.")),
      samples_written(registry.counter("sentinel_worker_samples_written_total",
                                       "Samples committed to the store.")),
      samples_dropped(registry.counter(
          "sentinel_worker_samples_dropped_total",
          "Samples outside the accepted time window (older than retention, or in the future).")),
      cache_hits(lookups(registry).with({"hit"})),
      cache_misses(lookups(registry).with({"miss"})),
      transaction_seconds(registry.histogram("sentinel_worker_transaction_duration_seconds",
                                             "Time to store one fetched group, commit included.",
                                             core::latency_buckets())),
      pending(registry.gauge("sentinel_worker_consumer_pending",
                             "Messages in the stream not yet delivered to the consumer (lag).")),
      ack_pending(registry.gauge("sentinel_worker_consumer_ack_pending",
                                 "Messages delivered and not yet acknowledged.")),
      leader(registry.gauge("sentinel_worker_leader",
                            "1 while this worker runs partitions, rollups and retention.")),
      duty_failures(registry.counter("sentinel_worker_duty_failures_total",
                                     "Leader duty rounds that failed (retried next interval).")) {}

void WorkerMetrics::ingested(const store::IngestReport& report, double seconds) {
  duplicates.inc(static_cast<double>(report.duplicate_batches));
  samples_written.inc(static_cast<double>(report.samples));
  cache_hits.inc(static_cast<double>(report.cache_hits));
  cache_misses.inc(static_cast<double>(report.cache_misses));
  transaction_seconds.observe(seconds);
}

}  // namespace sentinel::worker
