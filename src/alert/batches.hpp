#pragma once
// Batches from the bus into the rolling windows.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "windows.hpp"

namespace sentinel::alert {

// Adds every numeric sample of a serialized sentinel::v1::Batch (histograms are skipped: no rule
// kind reads them) and moves the agent's last-seen time forward. Returns the samples added, or
// nullopt when the payload is not a batch.
std::optional<std::size_t> ingest_batch(std::string_view payload, Windows& windows,
                                        std::map<std::string, std::int64_t>& last_seen);

}  // namespace sentinel::alert
