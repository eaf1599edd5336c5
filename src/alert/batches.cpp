#include "batches.hpp"

#include <algorithm>

#include "proto/sentinel.pb.h"

namespace sentinel::alert {

std::optional<std::size_t> ingest_batch(std::string_view payload, Windows& windows,
                                        std::map<std::string, std::int64_t>& last_seen) {
  v1::Batch batch;
  if (!batch.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) return std::nullopt;
  std::size_t added = 0;
  std::int64_t newest = 0;
  SeriesKey key;
  key.agent_id = batch.agent_id();
  for (const auto& metric : batch.metrics()) {
    double value = 0;
    if (metric.has_double_value()) {
      value = metric.double_value();
    } else if (metric.has_int_value()) {
      value = static_cast<double>(metric.int_value());
    } else {
      continue;
    }
    key.metric = metric.name();
    key.labels.clear();
    for (const auto& label : metric.labels())
      key.labels.emplace(label.name(), label.value());
    windows.add(key, {metric.timestamp_ms(), value});
    newest = std::max(newest, metric.timestamp_ms());
    ++added;
  }
  newest = std::max(newest, batch.created_at_ms());
  auto& seen = last_seen[batch.agent_id()];
  seen = std::max(seen, newest);
  return added;
}

}  // namespace sentinel::alert
