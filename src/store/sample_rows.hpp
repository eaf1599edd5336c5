#pragma once
// What both backends' sample repositories share: the day arithmetic, the JSON documents that
// carry a whole group of keys in one bound parameter, and the readers of result rows (each takes
// the backend's row cursor: int64(), float8(), text() in column order, as agent_rows.hpp does).

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sentinel/store/samples.hpp"

#include "agent_rows.hpp"

namespace sentinel::store {

// [{"i": index, "a": agent, "n": name, "l": {labels}, "h": hash}, ...]
std::string series_keys_json(std::span<const SeriesKey> keys);
// [{"a": agent, "b": batch id}, ...]
std::string batch_keys_json(std::span<const BatchKey> keys);
// [{"a": agent, "t": bucket ms}, ...]
std::string buckets_json(std::span<const std::pair<std::string, std::int64_t>> buckets);
// "{1,2,3}": a bigint[] literal.
std::string id_array(std::span<const std::int64_t> ids);
// "[1,2,3]": a JSON array, for SQLite's json_each.
std::string id_json(std::span<const std::int64_t> ids);

// The 5-minute buckets [first, end) whose queue entries bear on the rollup rows of `resolution`
// in [from, to): those rows themselves (5m), or the buckets of their hours (1h).
std::pair<std::int64_t, std::int64_t> queued_buckets_of(Resolution resolution, std::int64_t from,
                                                        std::int64_t to);

// Days since the epoch <-> "YYYYMMDD", for partition names.
std::string day_name(std::int64_t day);
std::int64_t day_from_name(std::string_view yyyymmdd);

template <class Row>
SeriesInfo read_series_info(Row& row) {
  SeriesInfo info;
  info.id = row.int64();
  info.agent_id = row.text();
  info.name = row.text();
  info.labels = labels_from_json(row.text());
  return info;
}

template <class Row>
Bucket read_bucket(Row& row) {
  Bucket bucket;
  bucket.start = row.int64();
  bucket.avg = row.float8();
  bucket.min = row.float8();
  bucket.max = row.float8();
  bucket.count = row.int64();
  return bucket;
}

// (series_id, time, value) into a RawPoint or a LatestValue
template <class Point, class Row>
Point read_point(Row& row) {
  Point point;
  point.series_id = row.int64();
  point.time = row.int64();
  point.value = row.float8();
  return point;
}

}  // namespace sentinel::store
