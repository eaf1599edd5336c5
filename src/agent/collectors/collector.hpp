#pragma once
// Collectors read the host's state (/proc, statvfs) once per tick and write metrics. Each is a
// small class behind this interface; the agent runs them on its strand, one after another.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sentinel/core/result.hpp"

#include "agent/collectors/proc_files.hpp"
#include "proto/sentinel.pb.h"

namespace sentinel::agent {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Where samples go: metrics with the tick's timestamp and the agent's static labels, labels
// sorted by name as the protocol requires. A sample's own label wins over a static one.
class MetricSink {
 public:
  MetricSink(std::vector<v1::Metric>& out, std::int64_t time_ms,
             const std::map<std::string, std::string>& static_labels)
      : out_(out), time_ms_(time_ms), static_labels_(static_labels) {}

  void gauge(std::string_view name, Labels labels, double value) {
    add(name, std::move(labels), v1::METRIC_TYPE_GAUGE, value);
  }
  void counter(std::string_view name, Labels labels, double value) {
    add(name, std::move(labels), v1::METRIC_TYPE_COUNTER, value);
  }
  // `time_ms` 0 means the tick's time; `seq` 0 means unnumbered.
  void add(std::string_view name, Labels labels, v1::MetricType type, double value,
           std::int64_t time_ms = 0, std::uint64_t seq = 0);

 private:
  std::vector<v1::Metric>& out_;
  std::int64_t time_ms_;
  const std::map<std::string, std::string>& static_labels_;
};

struct CollectContext {
  ProcFiles& proc;  // this tick's view of /proc
  std::int64_t now_ms;
};

class Collector {
 public:
  virtual ~Collector() = default;
  virtual std::string_view name() const = 0;
  // Reads fresh values and writes them. An error means this collector wrote nothing usable this
  // tick; the agent logs and counts it and carries on with the others.
  virtual core::Status collect(CollectContext& context, MetricSink& out) = 0;
};

}  // namespace sentinel::agent
