#pragma once
// Numbered samples at a steady rate instead of host metrics (agent.collect.synthetic).

#include "sentinel/agent/config.hpp"

#include "agent/collectors/collector.hpp"

namespace sentinel::agent {

class SyntheticCollector final : public Collector {
 public:
  // Numbering continues after `last_seq`; the rate is counted from `start_ms`.
  SyntheticCollector(const SyntheticSettings& settings, std::uint64_t last_seq,
                     std::int64_t start_ms);
  std::string_view name() const override { return "synthetic"; }
  core::Status collect(CollectContext& context, MetricSink& out) override;
  std::uint64_t last_seq() const { return last_seq_; }

 private:
  SyntheticSettings settings_;
  std::uint64_t last_seq_;
  std::int64_t last_ms_;
  double owed_ = 0;  // samples due but not yet produced (the fraction of one)
};

}  // namespace sentinel::agent
