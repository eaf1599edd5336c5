#pragma once
// The gateway's metric handles (sentinel_gateway_*), created once and shared by its handlers.

#include "sentinel/core/metrics.hpp"

namespace sentinel::gateway {

struct GatewayMetrics {
  explicit GatewayMetrics(core::MetricsRegistry& registry);

  core::Family<core::Counter>& push_requests;  // {result}: ok, 4xx code, unavailable
  core::Family<core::Counter>& batches;        // {result}: accepted, duplicate, rejected, retry
  core::Family<core::Counter>& auth_failures;  // {reason}: bad_signature, stale_timestamp, ...
  core::Histogram& publish_seconds;            // one batch, publish to PubAck
  core::Family<core::Counter>& enrolments;     // {result}
  core::Family<core::Counter>& heartbeats;     // {result}
  core::Family<core::Gauge>& agents;           // {status}: online, stale, offline, disabled
  core::Family<core::Counter>& rate_limited;   // {scope}: agent, ip
};

}  // namespace sentinel::gateway
