#include "sentinel/core/log.hpp"

#include <chrono>
#include <cstdio>

#include <fmt/chrono.h>
#include <nlohmann/json.hpp>

namespace sentinel::core {
namespace {

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms.count());
}

// Text values with spaces or quotes are quoted so that a line stays machine-splittable.
std::string quote_if_needed(const std::string& value) {
  if (!value.empty() && value.find_first_of(" \"=") == std::string::npos) return value;
  return nlohmann::json(value).dump();
}

}  // namespace

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "unknown";
}

LogSink::LogSink(LogLevel level, LogFormat format, Writer writer)
    : level_(level), format_(format), writer_(std::move(writer)) {
  if (!writer_) {
    writer_ = [](std::string_view line) {
      std::fwrite(line.data(), 1, line.size(), stderr);
      std::fflush(stderr);
    };
  }
}

void LogSink::write(LogLevel level, std::string_view logger, const LogFields& fields,
                    std::string_view message) {
  std::string line;
  if (format_ == LogFormat::kJson) {
    nlohmann::json record = {
        {"ts", timestamp()}, {"level", to_string(level)}, {"logger", logger}, {"msg", message}};
    for (const auto& [key, value] : fields)
      record[key] = value;
    line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  } else {
    line = fmt::format("{} {:<5} {}: {}", timestamp(), to_string(level), logger, message);
    for (const auto& [key, value] : fields)
      line += fmt::format(" {}={}", key, quote_if_needed(value));
    line += "\n";
  }
  std::lock_guard lock(mutex_);
  writer_(line);
}

}  // namespace sentinel::core
