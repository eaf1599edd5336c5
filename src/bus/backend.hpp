#pragma once
// What the `bus` component needs of an implementation beyond the Bus interface, and the small
// rules both implementations share.

#include <string>
#include <string_view>

#include "sentinel/bus/bus.hpp"

namespace sentinel::bus {

class BusBackend : public Bus {
 public:
  virtual void start() = 0;
  // Answers what is still waiting and releases the connection, returning by `deadline`.
  virtual void stop(core::Deadline deadline) = 0;
};

// How long a publisher told "unavailable" should wait before trying again: an agent keeps the
// batch meanwhile, so this only spaces out the retries.
inline constexpr std::chrono::milliseconds kRetryAfter{1000};

inline PublishResult unavailable(std::string detail) {
  return PublishResult{PublishStatus::kUnavailable, std::move(detail), kRetryAfter};
}

// JetStream stream and consumer names become subject tokens: no dots, wildcards or whitespace.
inline bool valid_name(std::string_view name) {
  return !name.empty() && name.find_first_of(".*> \t\r\n") == std::string_view::npos;
}

}  // namespace sentinel::bus
