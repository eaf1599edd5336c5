#include "sample_rows.hpp"

#include <chrono>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sentinel/store/ingest.hpp"
#include "sentinel/store/store.hpp"

namespace sentinel::store {

std::string series_keys_json(std::span<const SeriesKey> keys) {
  auto rows = nlohmann::json::array();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto& key = keys[i];
    rows.push_back({{"i", i},
                    {"a", key.agent_id},
                    {"n", key.name},
                    {"l", key.labels},
                    {"h", series_hash(key)}});
  }
  return rows.dump();
}

std::string batch_keys_json(std::span<const BatchKey> keys) {
  auto rows = nlohmann::json::array();
  for (const auto& key : keys)
    rows.push_back({{"a", key.agent_id}, {"b", key.batch_id}});
  return rows.dump();
}

std::string buckets_json(std::span<const std::pair<std::string, std::int64_t>> buckets) {
  auto rows = nlohmann::json::array();
  for (const auto& [agent, bucket] : buckets)
    rows.push_back({{"a", agent}, {"t", bucket}});
  return rows.dump();
}

std::string id_array(std::span<const std::int64_t> ids) {
  return fmt::format("{{{}}}", fmt::join(ids, ","));
}

std::string id_json(std::span<const std::int64_t> ids) {
  return fmt::format("[{}]", fmt::join(ids, ","));
}

std::pair<std::int64_t, std::int64_t> queued_buckets_of(Resolution resolution, std::int64_t from,
                                                        std::int64_t to) {
  // Rows start at multiples of `unit`: those in [from, to) are those in [ceil(from), ceil(to)).
  const auto unit = resolution == Resolution::k1h ? k1hMs : k5mMs;
  return {floor_to(from + unit - 1, unit), floor_to(to + unit - 1, unit)};
}

std::string day_name(std::int64_t day) {
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{day}}};
  return fmt::format("{:04}{:02}{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

std::int64_t day_from_name(std::string_view yyyymmdd) {
  auto number = [&](std::size_t at, std::size_t length) {
    int value = 0;
    for (char c : yyyymmdd.substr(at, length)) {
      if (c < '0' || c > '9') throw StoreError("database", "unexpected partition name", false);
      value = value * 10 + (c - '0');
    }
    return value;
  };
  if (yyyymmdd.size() != 8) throw StoreError("database", "unexpected partition name", false);
  const std::chrono::year_month_day date{std::chrono::year{number(0, 4)},
                                         std::chrono::month{static_cast<unsigned>(number(4, 2))},
                                         std::chrono::day{static_cast<unsigned>(number(6, 2))}};
  return std::chrono::sys_days{date}.time_since_epoch().count();
}

}  // namespace sentinel::store
