#pragma once
// Rolling windows of samples in memory, one per series (agent, metric, labels), fed from the
// bus and trimmed to the longest window any rule needs; and the reduction of a window to the one
// value a rule compares.

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/alert/rule.hpp"

namespace sentinel::alert {

struct Sample {
  std::int64_t at = 0;  // Unix milliseconds
  double value = 0;
};

struct SeriesKey {
  std::string agent_id;
  std::string metric;
  Labels labels;
  auto operator<=>(const SeriesKey&) const = default;
};

// The value of `aggregation` over the samples in (now - window, now], or nullopt when there is
// none to reduce (no sample; rate and predict_linear need two). `count` of nothing is 0 and
// `absent` is 1 when the window is empty, 0 otherwise.
std::optional<double> aggregate(const std::deque<Sample>& samples, Aggregation aggregation,
                                std::int64_t now, core::Duration window,
                                core::Duration predict_ahead = {});

class Windows {
 public:
  // Samples older than `retention` before the newest one seen are dropped.
  explicit Windows(core::Duration retention) : retention_(retention) {}

  void set_retention(core::Duration retention) { retention_ = retention; }
  // Samples may arrive late or twice (redelivery): they are kept in time order, once each.
  void add(const SeriesKey& key, Sample sample);
  // Drops samples older than now - retention, and series left empty.
  void trim(std::int64_t now);
  void clear() { series_.clear(); }

  // Every series of `metric`.
  std::vector<std::pair<const SeriesKey*, const std::deque<Sample>*>> of_metric(
      const std::string& metric) const;
  std::size_t series_count() const;

 private:
  core::Duration retention_;
  // metric -> series of that metric, so a rule looks at its metric only.
  std::map<std::string, std::map<SeriesKey, std::deque<Sample>>> series_;
};

}  // namespace sentinel::alert
