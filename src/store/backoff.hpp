#pragma once
// Delays between reconnection attempts: doubling from `initial` up to `max`, each drawn at
// random from the upper half of its step so that many processes that lost the database at the
// same moment do not all come back at the same moment.

#include <random>

#include "sentinel/core/config_types.hpp"

namespace sentinel::store {

class Backoff {
 public:
  Backoff(core::Duration initial, core::Duration max);
  core::Duration next();
  void reset() { step_ = initial_; }

 private:
  core::Duration initial_;
  core::Duration max_;
  core::Duration step_;
  std::minstd_rand random_;
};

}  // namespace sentinel::store
