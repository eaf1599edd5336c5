#include "rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace sentinel::gateway {

std::optional<std::chrono::milliseconds> RateLimiter::take(const std::string& key) {
  if (!enabled()) return std::nullopt;
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  prune(now);
  auto [it, added] = buckets_.try_emplace(key, Bucket{burst_, now});
  auto& bucket = it->second;
  const std::chrono::duration<double> elapsed = now - bucket.updated;
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed.count() * rate_);
  bucket.updated = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  const double wait_seconds = (1 - bucket.tokens) / rate_;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(wait_seconds * 1000)));
}

void RateLimiter::prune(Clock::time_point now) {
  if (now - last_prune_ < std::chrono::minutes(1)) return;
  last_prune_ = now;
  // A bucket idle long enough to be full again is the same as no bucket.
  const auto refill = std::chrono::duration<double>(burst_ / rate_);
  std::erase_if(buckets_, [&](const auto& entry) { return now - entry.second.updated > refill; });
}

}  // namespace sentinel::gateway
