#pragma once
// Readiness of a backend, written by its threads and read by /readyz from any thread: ready
// while the latest attempt to reach the database succeeded.

#include <atomic>
#include <memory>
#include <string>

#include "sentinel/core/component.hpp"

namespace sentinel::store {

class Health {
 public:
  void succeeded() {
    if (!ok_.load(std::memory_order_relaxed)) ok_.store(true, std::memory_order_relaxed);
  }
  void failed(std::string reason) {
    reason_.store(std::make_shared<const std::string>(std::move(reason)));
    ok_.store(false, std::memory_order_relaxed);
  }
  core::Readiness readiness() const {
    if (ok_.load(std::memory_order_relaxed)) return {};
    return {false, *reason_.load()};
  }

 private:
  std::atomic<bool> ok_{false};
  std::atomic<std::shared_ptr<const std::string>> reason_{
      std::make_shared<const std::string>("the store has not started")};
};

}  // namespace sentinel::store
