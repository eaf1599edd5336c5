#pragma once
// Token buckets keyed by a string (an agent id, a client address): each key may spend `burst`
// requests at once and gets `rate` back per second. Thread-safe; idle full buckets are dropped
// now and then so that the map does not grow with every address ever seen.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace sentinel::gateway {

class RateLimiter {
 public:
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}

  // nullopt when the request may go; otherwise how long until a token is back.
  std::optional<std::chrono::milliseconds> take(const std::string& key);
  bool enabled() const { return rate_ > 0; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  void prune(Clock::time_point now);

  double rate_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point last_prune_ = Clock::now();
};

}  // namespace sentinel::gateway
