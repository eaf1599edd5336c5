#pragma once
// The content of record `id` in the WAL crash test, known to the writer and to the checker.

#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace sentinel::test {

inline std::string crash_payload(std::uint64_t id) {
  return fmt::format("record {} ", id) +
         std::string(10 + (id * 37) % 3000, static_cast<char>('a' + id % 26));
}

}  // namespace sentinel::test
