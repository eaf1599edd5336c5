#include "query_params.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "sentinel/core/config_types.hpp"

namespace sentinel::worker {
namespace {

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

// Digits at `at` of `text`, or -1.
int digits(std::string_view text, std::size_t at, std::size_t length) {
  if (at + length > text.size()) return -1;
  int value = 0;
  for (char c : text.substr(at, length)) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':' ||
      (text.back() != 'Z' && text.back() != 'z'))
    return std::nullopt;
  const int year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  const int hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
  if (year < 0 || month < 1 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 60)
    return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  std::int64_t ms = 0;
  const auto fraction = text.substr(19, text.size() - 20);
  if (!fraction.empty()) {
    if (fraction.front() != '.' || fraction.size() < 2 || fraction.size() > 10 ||
        digits(fraction, 1, fraction.size() - 1) < 0)
      return std::nullopt;
    std::string millis(fraction.substr(1, 3));
    millis.resize(3, '0');
    ms = digits(millis, 0, 3);
  }
  const auto days = std::chrono::sys_days{date}.time_since_epoch().count();
  return ((static_cast<std::int64_t>(days) * 24 + hour) * 60 + minute) * 60'000 + second * 1000LL +
         ms;
}

[[noreturn]] void bad(std::string_view name, std::string_view expected) {
  throw BadRequest(fmt::format("parameter {}: expected {}", name, expected));
}

}  // namespace

std::optional<std::int64_t> parse_time(std::string_view text) {
  if (auto seconds = parse_number(text)) {
    if (*seconds < 0 || *seconds > 1e11) return std::nullopt;
    return static_cast<std::int64_t>(std::llround(*seconds * 1000));
  }
  return parse_rfc3339(text);
}

std::optional<std::int64_t> parse_step(std::string_view text) {
  if (auto seconds = parse_number(text)) {
    if (*seconds <= 0) return std::nullopt;
    return static_cast<std::int64_t>(std::llround(*seconds * 1000));
  }
  auto duration = core::parse_duration(text);
  if (!duration || duration->count() <= 0) return std::nullopt;
  return duration->count();
}

std::optional<double> parse_percentile(std::string_view text) {
  auto value = parse_number(text);
  if (!value || *value <= 0 || *value > 100) return std::nullopt;
  return value;
}

std::optional<store::Labels> parse_label_filter(std::string_view text) {
  store::Labels labels;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto pair = text.substr(0, comma);
    const auto equals = pair.find('=');
    if (equals == std::string_view::npos || equals == 0) return std::nullopt;
    labels[std::string(pair.substr(0, equals))] = std::string(pair.substr(equals + 1));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return labels;
}

std::string QueryParams::required(std::string_view name) const {
  auto value = request_.query_param(name);
  if (!value || value->empty()) bad(name, "a value (it is required)");
  return std::string(*value);
}

std::optional<std::string> QueryParams::optional(std::string_view name) const {
  auto value = request_.query_param(name);
  if (!value || value->empty()) return std::nullopt;
  return std::string(*value);
}

std::int64_t QueryParams::time(std::string_view name) const {
  auto value = parse_time(required(name));
  if (!value) bad(name, "Unix seconds or an RFC 3339 UTC time like 2026-11-23T18:00:00Z");
  return *value;
}

SeriesFilter QueryParams::series(bool metric_required) const {
  return {metric_required ? required("metric") : optional("metric"), labels()};
}

TimeRange QueryParams::range() const {
  const auto from = time("from");
  const auto to = time("to");
  if (from >= to) throw BadRequest("parameters from and to: from must be before to");
  return {from, to};
}

BucketedRange QueryParams::bucketed_range(std::size_t max_points) const {
  const auto span = range();
  auto step = parse_step(required("step"));
  if (!step || *step < 1000) bad("step", "a duration of at least 1s, like 30s, 5m or 1h");
  const auto points = static_cast<std::size_t>((span.to - span.from + *step - 1) / *step);
  if (points > max_points) {
    throw BadRequest(fmt::format(
        "parameter step: the range would need {} points per series, more than the {} allowed;"
        " use a larger step or a shorter range",
        points, max_points));
  }
  return {span, *step, resolution_for(*step)};
}

store::Labels QueryParams::labels() const {
  auto text = optional("labels");
  if (!text) return {};
  auto labels = parse_label_filter(*text);
  if (!labels) bad("labels", "name=value pairs separated by commas, like cpu=total,mode=user");
  return *labels;
}

std::vector<std::string> QueryParams::list(std::string_view name, std::size_t max) const {
  const auto text = required(name);
  std::vector<std::string> items;
  std::string_view rest(text);
  while (true) {
    const auto comma = rest.find(',');
    const auto item = rest.substr(0, comma);
    if (item.empty()) bad(name, "a comma-separated list without empty items");
    items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (items.size() > max) bad(name, fmt::format("at most {} items", max));
  return items;
}

std::size_t QueryParams::count(std::string_view name, std::size_t fallback, std::size_t max) const {
  auto text = optional(name);
  if (!text) return fallback;
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value == 0 || value > max)
    bad(name, fmt::format("a whole number from 1 to {}", max));
  return value;
}

store::Resolution resolution_for(std::int64_t step) {
  if (step % store::k1hMs == 0) return store::Resolution::k1h;
  if (step % store::k5mMs == 0) return store::Resolution::k5m;
  return store::Resolution::kRaw;
}

bool labels_match(const store::Labels& labels, const store::Labels& filter) {
  for (const auto& [name, value] : filter) {
    auto it = labels.find(name);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace sentinel::worker
