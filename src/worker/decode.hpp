#pragma once
// A bus message (a serialized sentinel.v1.Batch, docs/protocol.md "bus payload") turned into
// what the store ingests, or the reason it never can be.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "sentinel/store/ingest.hpp"

namespace sentinel::worker {

struct Decoded {
  store::IngestBatch batch;
  std::size_t dropped = 0;  // samples outside the accepted time window
};

// Samples are kept when their time lies in [now - max_age, now + max_ahead]: older ones would
// land in storage retention is about to drop, newer ones come from a broken clock.
struct SampleWindow {
  std::int64_t max_age_ms = 90LL * store::kDayMs;
  std::int64_t max_ahead_ms = store::kDayMs;
};

// The batch, or why it is invalid. Histograms become Prometheus-style series:
// <name>_bucket{le="..."}, <name>_sum and <name>_count.
std::variant<Decoded, std::string> decode_batch(std::string_view subject, std::string_view payload,
                                                std::int64_t now, const SampleWindow& window);

}  // namespace sentinel::worker
