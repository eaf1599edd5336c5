#pragma once
// Wall-clock time as the protocol counts it, and ticks aligned to it.

#include <chrono>
#include <cstdint>

#include "sentinel/core/component.hpp"
#include "sentinel/core/unix_time.hpp"

namespace sentinel::agent {

// The steady-clock time of the next wall-clock multiple of `interval` (10:00:00, 10:00:10, ...),
// so that every agent samples at the same instants.
inline core::Clock::time_point next_aligned_tick(core::Duration interval) {
  const auto now_ms = core::unix_ms();
  const auto period = interval.count();
  const auto next_ms = (now_ms / period + 1) * period;
  return core::Clock::now() + std::chrono::milliseconds(next_ms - now_ms);
}

}  // namespace sentinel::agent
