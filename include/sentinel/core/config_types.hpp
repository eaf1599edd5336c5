#pragma once
// Value types that config fields are parsed into: durations, byte sizes and secrets. Each has a
// strict text form so that "30s" and "16MiB" mean one thing everywhere (flags, env and YAML).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace sentinel::core {

using Duration = std::chrono::milliseconds;

// Parses "250ms", "30s", "5m", "1h30m", "7d"; a unit is required so that "30" is never read as
// the wrong one. Returns nullopt when the text is not a duration.
std::optional<Duration> parse_duration(std::string_view text);
std::string format_duration(Duration d);

// A size in bytes. Accepts a plain byte count or a number with a unit: KB/MB/GB/TB (powers of
// 1000) and KiB/MiB/GiB/TiB (powers of 1024), as Prometheus and Kubernetes do.
struct ByteSize {
  std::uint64_t bytes = 0;
  auto operator<=>(const ByteSize&) const = default;
};
std::optional<ByteSize> parse_byte_size(std::string_view text);
std::string format_byte_size(ByteSize size);

constexpr ByteSize operator""_KiB(unsigned long long n) {
  return {n << 10};
}
constexpr ByteSize operator""_MiB(unsigned long long n) {
  return {n << 20};
}
constexpr ByteSize operator""_GiB(unsigned long long n) {
  return {n << 30};
}

// The URL with its password replaced by "***", in the user info ("nats://u:***@host:4222") and
// in a `password=` query parameter, so that it can be printed and logged.
std::string mask_url_password(std::string_view url);

// A secret from config: a master key, a password, a token. It can be used but never printed; fmt
// renders it masked, so logging one by mistake leaks nothing.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

}  // namespace sentinel::core

template <>
struct fmt::formatter<sentinel::core::Secret> : fmt::formatter<std::string_view> {
  template <class Ctx>
  auto format(const sentinel::core::Secret& s, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format(s.empty() ? "" : "***", ctx);
  }
};
