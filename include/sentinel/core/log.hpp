#pragma once
// Leveled logging through fmt, as text or JSON lines. One LogSink per process, owned by the app;
// every subsystem logs through a named Logger taken from the component context.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace sentinel::core {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

std::string_view to_string(LogLevel level);

using LogFields = std::vector<std::pair<std::string, std::string>>;

// Formats records and writes whole lines; safe to call from any thread.
class LogSink {
 public:
  using Writer = std::function<void(std::string_view line)>;

  LogSink(LogLevel level, LogFormat format, Writer writer = {});  // empty writer: stderr

  bool enabled(LogLevel level) const { return level >= level_.load(std::memory_order_relaxed); }
  void set_level(LogLevel level) { level_.store(level, std::memory_order_relaxed); }
  void write(LogLevel level, std::string_view logger, const LogFields& fields,
             std::string_view message);

 private:
  std::atomic<LogLevel> level_;
  LogFormat format_;
  Writer writer_;
  std::mutex mutex_;
};

class Logger {
 public:
  Logger(std::shared_ptr<LogSink> sink, std::string name)
      : sink_(std::move(sink)), name_(std::move(name)) {}

  // A logger that adds `key=value` to every line, e.g. the request id of an HTTP exchange.
  Logger with(std::string key, std::string value) const {
    Logger copy = *this;
    copy.fields_.emplace_back(std::move(key), std::move(value));
    return copy;
  }
  const std::string& name() const { return name_; }
  bool enabled(LogLevel level) const { return sink_->enabled(level); }

  template <class... A>
  void trace(fmt::format_string<A...> f, A&&... a) const {
    log(LogLevel::kTrace, f, std::forward<A>(a)...);
  }
  template <class... A>
  void debug(fmt::format_string<A...> f, A&&... a) const {
    log(LogLevel::kDebug, f, std::forward<A>(a)...);
  }
  template <class... A>
  void info(fmt::format_string<A...> f, A&&... a) const {
    log(LogLevel::kInfo, f, std::forward<A>(a)...);
  }
  template <class... A>
  void warn(fmt::format_string<A...> f, A&&... a) const {
    log(LogLevel::kWarn, f, std::forward<A>(a)...);
  }
  template <class... A>
  void error(fmt::format_string<A...> f, A&&... a) const {
    log(LogLevel::kError, f, std::forward<A>(a)...);
  }

 private:
  template <class... A>
  void log(LogLevel level, fmt::format_string<A...> f, A&&... a) const {
    if (!sink_->enabled(level)) return;
    sink_->write(level, name_, fields_, fmt::format(f, std::forward<A>(a)...));
  }

  std::shared_ptr<LogSink> sink_;
  std::string name_;
  LogFields fields_;
};

}  // namespace sentinel::core
