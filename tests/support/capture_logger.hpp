#pragma once
// A logger for tests that read what was logged.

#include <memory>
#include <string>
#include <vector>

#include "sentinel/core/log.hpp"

namespace sentinel::test {

// A logger whose lines go to `lines` (when given) instead of stderr.
inline core::Logger capture_logger(std::vector<std::string>* lines = nullptr) {
  return core::Logger(
      std::make_shared<core::LogSink>(core::LogLevel::kDebug, core::LogFormat::kText,
                                      [lines](std::string_view line) {
                                        if (lines) lines->emplace_back(line);
                                      }),
      "test");
}

}  // namespace sentinel::test
