#pragma once
// The deterministic samples of `agent.collect.synthetic`, shared with the chaos suite that counts
// them: sample number `seq` (1, 2, 3, ... per agent, continuing across restarts) is the gauge
// `synthetic_value{series="s<seq % series>"}` with Metric.seq = seq and this value, so that a
// harness can check both the count and a checksum of what was stored.

#include <cstdint>
#include <string_view>

namespace sentinel::agent {

inline constexpr std::string_view kSyntheticMetric = "synthetic_value";

constexpr double synthetic_value(std::uint64_t seq) {
  // Knuth's multiplicative hash folded below a prime: every value is an exact small integer.
  return static_cast<double>((seq * 2654435761ULL) % 1000003ULL);
}

}  // namespace sentinel::agent
