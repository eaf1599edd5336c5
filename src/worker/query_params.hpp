#pragma once
// Query-string parameters of the query API, validated: each failure is a BadRequest whose
// message names the parameter and says what it should be, answered as a 400.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/http/message.hpp"
#include "sentinel/store/samples.hpp"

namespace sentinel::worker {

class BadRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A time: Unix seconds (fractions allowed) or RFC 3339 UTC ("2026-11-23T18:00:00Z", with
// optional fractional seconds). Unix milliseconds, or nullopt when malformed.
std::optional<std::int64_t> parse_time(std::string_view text);
// A step: a duration ("30s", "5m", "1h") or a number of seconds. Milliseconds.
std::optional<std::int64_t> parse_step(std::string_view text);
// A percentile: a number above 0 and up to 100.
std::optional<double> parse_percentile(std::string_view text);
// "name=value,name2=value2" (empty: no filter).
std::optional<store::Labels> parse_label_filter(std::string_view text);

// Which series of an agent a query reads: one metric (all when unset) and a label filter.
struct SeriesFilter {
  std::optional<std::string> metric;
  store::Labels labels;
};

// A time range in Unix milliseconds, from < to.
struct TimeRange {
  std::int64_t from = 0;
  std::int64_t to = 0;
};

// A range cut into steps, and the data whose buckets serve that step.
struct BucketedRange {
  TimeRange range;
  std::int64_t step = 0;
  store::Resolution resolution = store::Resolution::kRaw;
};

class QueryParams {
 public:
  explicit QueryParams(const http::Request& request) : request_(request) {}

  std::string required(std::string_view name) const;
  std::optional<std::string> optional(std::string_view name) const;
  std::int64_t time(std::string_view name) const;  // required
  // `metric` (required or optional) and `labels`.
  SeriesFilter series(bool metric_required) const;
  // `from` and `to`, both required.
  TimeRange range() const;
  // `from`, `to` and `step`, with at most `max_points` steps.
  BucketedRange bucketed_range(std::size_t max_points) const;
  store::Labels labels() const;
  // A comma-separated list of at least one and at most `max` items.
  std::vector<std::string> list(std::string_view name, std::size_t max) const;
  std::size_t count(std::string_view name, std::size_t fallback, std::size_t max) const;

 private:
  const http::Request& request_;
};

// The coarsest data whose buckets divide `step`: 1h rollups, 5m rollups or raw samples.
store::Resolution resolution_for(std::int64_t step);

// Whether the series' labels include every label of `filter`.
bool labels_match(const store::Labels& labels, const store::Labels& filter);

// A CSV field, quoted when it holds a comma, quote, or line break (RFC 4180).
std::string csv_field(std::string_view text);

}  // namespace sentinel::worker
