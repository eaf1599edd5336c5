#include "bus_metrics.hpp"

namespace sentinel::bus {

std::string_view to_string(PublishStatus status) {
  switch (status) {
    case PublishStatus::kAccepted:
      return "accepted";
    case PublishStatus::kDuplicate:
      return "duplicate";
    case PublishStatus::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

BusMetrics::BusMetrics(core::MetricsRegistry& registry)
    : publishes_(registry.counter_family("sentinel_bus_publishes_total",
                                         "Publishes answered, by result.", {"result"})),
      latency_(registry.histogram("sentinel_bus_publish_duration_seconds",
                                  "Time from a publish to its answer (PubAck, or every consumer's "
                                  "ack in process).",
                                  core::latency_buckets())),
      pending_(registry.gauge("sentinel_bus_pending_publishes",
                              "Publishes sent and not yet acknowledged.")),
      connected_(registry.gauge("sentinel_bus_connected",
                                "1 while connected to NATS (always 1 in process).")),
      reconnects_(registry.counter("sentinel_bus_reconnects_total",
                                   "Connections to NATS re-established after a loss.")),
      dropped_(registry.counter("sentinel_bus_dropped_total",
                                "In process: messages given up after max_deliver deliveries.")),
      settle_failures_(registry.counter_family(
          "sentinel_bus_settle_failures_total",
          "Acks, naks and terms that could not be sent; the message comes again after ack_wait.",
          {"op"})) {}

void BusMetrics::published(PublishStatus status, double seconds) {
  publishes_.with({std::string(to_string(status))}).inc();
  latency_.observe(seconds);
}

}  // namespace sentinel::bus
