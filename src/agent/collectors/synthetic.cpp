#include "agent/collectors/synthetic.hpp"

#include <cmath>

#include <fmt/format.h>

#include "sentinel/agent/synthetic.hpp"

namespace sentinel::agent {
namespace {

// After a long pause (a stopped process, a suspended VM) the generator does not try to catch up
// with more than this many samples in one tick.
constexpr double kMaxSamplesPerTick = 1'000'000;

}  // namespace

SyntheticCollector::SyntheticCollector(const SyntheticSettings& settings, std::uint64_t last_seq,
                                       std::int64_t start_ms)
    : settings_(settings), last_seq_(last_seq), last_ms_(start_ms) {}

core::Status SyntheticCollector::collect(CollectContext& context, MetricSink& out) {
  const auto elapsed = std::max<std::int64_t>(0, context.now_ms - last_ms_);
  last_ms_ = context.now_ms;
  owed_ =
      std::min(owed_ + settings_.rate * static_cast<double>(elapsed) / 1000.0, kMaxSamplesPerTick);
  const auto count = static_cast<std::uint64_t>(std::floor(owed_));
  owed_ -= static_cast<double>(count);
  const auto series = static_cast<std::uint64_t>(settings_.series);
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::uint64_t seq = ++last_seq_;
    out.add(kSyntheticMetric, {{"series", fmt::format("s{}", seq % series)}}, v1::METRIC_TYPE_GAUGE,
            synthetic_value(seq), 0, seq);
  }
  return core::ok_status();
}

}  // namespace sentinel::agent
