#pragma once
// Wall-clock time as the protocol, the stores and the API carry it: Unix milliseconds.

#include <chrono>
#include <cstdint>

namespace sentinel::core {

inline std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace sentinel::core
