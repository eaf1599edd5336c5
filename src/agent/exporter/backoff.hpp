#pragma once
// Exponential backoff with jitter: each failure doubles the delay up to a cap, and the actual
// wait is drawn from the upper half of it, so that agents cut off together do not come back
// in step.

#include <algorithm>
#include <random>

#include "sentinel/core/config_types.hpp"

namespace sentinel::agent {

class Backoff {
 public:
  Backoff(core::Duration initial, core::Duration max)
      : initial_(initial), max_(std::max(initial, max)), random_(std::random_device{}()) {}

  core::Duration next() {
    const core::Duration ceiling =
        std::min<core::Duration>(max_, initial_ * (1L << std::min(failures_, 20)));
    ++failures_;
    std::uniform_int_distribution<core::Duration::rep> jitter(ceiling.count() / 2, ceiling.count());
    return core::Duration(jitter(random_));
  }
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  core::Duration initial_;
  core::Duration max_;
  int failures_ = 0;
  std::mt19937_64 random_;
};

}  // namespace sentinel::agent
