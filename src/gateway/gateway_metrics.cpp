#include "gateway_metrics.hpp"

namespace sentinel::gateway {

GatewayMetrics::GatewayMetrics(core::MetricsRegistry& registry)
    : push_requests(registry.counter_family("sentinel_gateway_push_requests_total",
                                            "Push requests, by result", {"result"})),
      batches(registry.counter_family("sentinel_gateway_batches_total", "Pushed batches, by result",
                                      {"result"})),
      auth_failures(registry.counter_family("sentinel_gateway_auth_failures_total",
                                            "Agent requests refused by authentication, by reason",
                                            {"reason"})),
      publish_seconds(registry.histogram("sentinel_gateway_publish_duration_seconds",
                                         "From publishing a batch to the bus's acknowledgement",
                                         core::latency_buckets())),
      enrolments(registry.counter_family("sentinel_gateway_enrolments_total",
                                         "Enrolment requests, by result", {"result"})),
      heartbeats(registry.counter_family("sentinel_gateway_heartbeats_total",
                                         "Heartbeat requests, by result", {"result"})),
      agents(registry.gauge_family("sentinel_gateway_agents", "Enrolled agents, by status",
                                   {"status"})),
      rate_limited(registry.counter_family("sentinel_gateway_rate_limited_total",
                                           "Requests answered 429, by bucket", {"scope"})) {}

}  // namespace sentinel::gateway
