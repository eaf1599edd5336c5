#pragma once
// Wall-clock time as the protocol counts it, and ticks aligned to it.

#include <chrono>
#include <cstdint>

#include "sentinel/core/component.hpp"

namespace sentinel::agent {

inline std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The steady-clock time of the next wall-clock multiple of `interval` (10:00:00, 10:00:10, ...),
// so that every agent samples at the same instants.
inline core::Clock::time_point next_aligned_tick(core::Duration interval) {
  const auto now_ms = unix_ms();
  const auto period = interval.count();
  const auto next_ms = (now_ms / period + 1) * period;
  return core::Clock::now() + std::chrono::milliseconds(next_ms - now_ms);
}

}  // namespace sentinel::agent
