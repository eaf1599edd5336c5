#pragma once
// The metric handles of the bus, shared by both implementations. The handles live in the
// registry, so a copy refers to the same metrics.

#include "sentinel/bus/bus.hpp"
#include "sentinel/core/metrics.hpp"

namespace sentinel::bus {

class BusMetrics {
 public:
  explicit BusMetrics(core::MetricsRegistry& registry);

  void published(PublishStatus status, double seconds);
  core::Gauge& pending() { return pending_; }
  core::Gauge& connected() { return connected_; }
  core::Counter& reconnects() { return reconnects_; }
  core::Counter& dropped() { return dropped_; }
  void settle_failed(std::string_view how) { settle_failures_.with({std::string(how)}).inc(); }

 private:
  core::Family<core::Counter>& publishes_;
  core::Histogram& latency_;
  core::Gauge& pending_;
  core::Gauge& connected_;
  core::Counter& reconnects_;
  core::Counter& dropped_;
  core::Family<core::Counter>& settle_failures_;
};

std::string_view to_string(PublishStatus status);

}  // namespace sentinel::bus
