#include "sentinel/core/config_types.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <limits>

namespace sentinel::core {
namespace {

struct Unit {
  std::string_view suffix;
  std::uint64_t factor;
};

// Longest suffixes first so that "ms" is not read as "m" followed by garbage.
constexpr std::array kDurationUnits = {Unit{"ms", 1},         Unit{"s", 1000},
                                       Unit{"m", 60'000},     Unit{"h", 3'600'000},
                                       Unit{"d", 86'400'000}, Unit{"w", 604'800'000}};

constexpr std::array kSizeUnits = {Unit{"KiB", 1ULL << 10},
                                   Unit{"MiB", 1ULL << 20},
                                   Unit{"GiB", 1ULL << 30},
                                   Unit{"TiB", 1ULL << 40},
                                   Unit{"KB", 1'000},
                                   Unit{"MB", 1'000'000},
                                   Unit{"GB", 1'000'000'000},
                                   Unit{"TB", 1'000'000'000'000},
                                   Unit{"B", 1}};

// Reads the leading digits of `text` and advances past them.
std::optional<std::uint64_t> take_number(std::string_view& text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

template <std::size_t N>
std::optional<std::uint64_t> take_unit(std::string_view& text, const std::array<Unit, N>& units) {
  for (const auto& unit : units) {
    if (text.starts_with(unit.suffix) &&
        (text.size() == unit.suffix.size() || std::isdigit(text[unit.suffix.size()]))) {
      text.remove_prefix(unit.suffix.size());
      return unit.factor;
    }
  }
  return std::nullopt;
}

bool mul_add(std::uint64_t& total, std::uint64_t value, std::uint64_t factor) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  if (value != 0 && factor > kMax / value) return false;
  if (total > kMax - value * factor) return false;
  total += value * factor;
  return true;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text == "0") return Duration::zero();
  std::uint64_t total = 0;
  while (!text.empty()) {
    auto value = take_number(text);
    if (!value) return std::nullopt;
    auto factor = take_unit(text, kDurationUnits);
    if (!factor || !mul_add(total, *value, *factor)) return std::nullopt;
  }
  return Duration(static_cast<Duration::rep>(total));
}

std::string format_duration(Duration d) {
  auto ms = static_cast<std::uint64_t>(d.count());
  if (ms == 0) return "0s";
  std::string out;
  for (auto it = kDurationUnits.rbegin(); it != kDurationUnits.rend(); ++it) {
    if (it->suffix == "w") continue;  // "14d" reads better than "2w"
    if (ms >= it->factor) {
      out += std::to_string(ms / it->factor) + std::string(it->suffix);
      ms %= it->factor;
    }
  }
  return out;
}

std::optional<ByteSize> parse_byte_size(std::string_view text) {
  auto value = take_number(text);
  if (!value) return std::nullopt;
  while (text.starts_with(' '))
    text.remove_prefix(1);
  std::uint64_t factor = 1;
  if (!text.empty()) {
    auto unit = take_unit(text, kSizeUnits);
    if (!unit || !text.empty()) return std::nullopt;
    factor = *unit;
  }
  std::uint64_t total = 0;
  if (!mul_add(total, *value, factor)) return std::nullopt;
  return ByteSize{total};
}

std::string format_byte_size(ByteSize size) {
  for (std::string_view unit : {"TiB", "GiB", "MiB", "KiB"}) {
    for (const auto& u : kSizeUnits) {
      if (u.suffix == unit && size.bytes >= u.factor && size.bytes % u.factor == 0) {
        return std::to_string(size.bytes / u.factor) + std::string(unit);
      }
    }
  }
  return std::to_string(size.bytes) + "B";
}

namespace {

constexpr std::string_view kMask = "***";

// Replaces the password of "user:password@" in the authority, if any. The last '@' ends the
// user info: an unencoded '@' in a password is common and libpq reads it that way too.
std::string mask_user_info(std::string url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto start = scheme_end + 3;
  auto end = url.find_first_of("/?#", start);
  if (end == std::string::npos) end = url.size();
  const auto at = url.rfind('@', end);
  if (at == std::string::npos || at < start) return url;
  const auto colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return url;
  return url.replace(colon + 1, at - colon - 1, kMask);
}

std::string mask_password_parameter(std::string url) {
  auto query = url.find('?');
  while (query != std::string::npos) {
    const auto name = query + 1;
    const auto next = url.find('&', name);
    const auto length = (next == std::string::npos ? url.size() : next) - name;
    if (std::string_view(url).substr(name, length).starts_with("password=")) {
      url.replace(name + 9, length - 9, kMask);
    }
    query = url.find('&', name);
  }
  return url;
}

}  // namespace

std::string mask_url_password(std::string_view url) {
  return mask_password_parameter(mask_user_info(std::string(url)));
}

}  // namespace sentinel::core
