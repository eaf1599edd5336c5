#include "backoff.hpp"

#include <algorithm>

namespace sentinel::store {

Backoff::Backoff(core::Duration initial, core::Duration max)
    : initial_(initial), max_(max), step_(initial), random_(std::random_device{}()) {}

core::Duration Backoff::next() {
  const auto step = step_;
  step_ = std::min(step_ * 2, max_);
  std::uniform_int_distribution<core::Duration::rep> half(step.count() / 2, step.count());
  return core::Duration(half(random_));
}

}  // namespace sentinel::store
