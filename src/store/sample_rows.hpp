#pragma once
// What both backends' sample repositories share: the day arithmetic and the JSON documents
// that carry a whole group of keys in one bound parameter.

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sentinel/store/samples.hpp"

namespace sentinel::store {

// [{"i": index, "a": agent, "n": name, "l": {labels}, "h": hash}, ...]
std::string series_keys_json(std::span<const SeriesKey> keys);
// [{"a": agent, "b": batch id}, ...]
std::string batch_keys_json(std::span<const BatchKey> keys);
// [{"a": agent, "t": bucket ms}, ...]
std::string buckets_json(std::span<const std::pair<std::string, std::int64_t>> buckets);
// "{1,2,3}": a bigint[] literal.
std::string id_array(std::span<const std::int64_t> ids);

// Days since the epoch <-> "YYYYMMDD", for partition names.
std::string day_name(std::int64_t day);
std::int64_t day_from_name(std::string_view yyyymmdd);

}  // namespace sentinel::store
