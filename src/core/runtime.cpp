#include "sentinel/core/runtime.hpp"

#include <cstdlib>

namespace sentinel::core {

Runtime::Runtime(int threads, Logger log)
    : io_(threads), work_(io_.get_executor()), thread_count_(threads), log_(std::move(log)) {}

Runtime::~Runtime() {
  shutdown();
}

void Runtime::start() {
  for (int i = 0; i < thread_count_; ++i) {
    threads_.emplace_back([this] {
      try {
        io_.run();
      } catch (const std::exception& e) {
        // Handlers report expected failures as values; an exception here is a bug.
        log_.error("unhandled exception on the event loop: {}", e.what());
        std::abort();
      }
    });
  }
}

void Runtime::shutdown() {
  work_.reset();
  io_.stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace sentinel::core
