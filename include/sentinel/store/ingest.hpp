#pragma once
// Exactly-once persistence of decoded batches: the one routine every worker runs, written
// against Session so that it works on both backends.

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "sentinel/store/samples.hpp"
#include "sentinel/store/session.hpp"

namespace sentinel::store {

struct IngestPoint {
  std::string name;
  Labels labels;
  std::int64_t time = 0;  // Unix ms
  double value = 0;
};

struct IngestBatch {
  BatchKey key;
  std::vector<IngestPoint> points;
};

struct IngestReport {
  std::size_t stored_batches = 0;
  std::size_t duplicate_batches = 0;  // already in processed_batches: skipped
  std::size_t samples = 0;
  std::size_t cache_hits = 0;
  std::size_t cache_misses = 0;
};

// Series ids and the days with storage ready, shared by the store threads of one process.
// Entries never go stale: only committed ones enter (Session::after_commit), a series id never
// changes and partitions are only dropped for days older than any sample a worker accepts. Bounded:
// once full it is cleared and refilled.
class IngestCache {
 public:
  explicit IngestCache(std::size_t max_series = 1'000'000) : max_series_(max_series) {}

  std::optional<std::int64_t> series(const std::string& key) const;
  void remember(const std::string& key, std::int64_t id);
  bool day_ready(std::int64_t day) const;
  void mark_day(std::int64_t day);

 private:
  std::size_t max_series_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::int64_t> series_;
  std::set<std::int64_t> days_;
};

// Stores the batches not stored before, in one transaction: their keys into processed_batches,
// their samples, the rollup queue and agents.last_seen. Series and partitions are created
// before it (they are harmless if it then fails). Throws StoreError; nothing is stored then.
IngestReport ingest_batches(Session& session, IngestCache& cache,
                            std::span<const IngestBatch> batches, std::int64_t now);

// The canonical text of a series (agent, name, sorted labels), the cache's key.
std::string series_cache_key(std::string_view agent_id, std::string_view name,
                             const Labels& labels);

// Floor of `time` to a multiple of `step` (also for times before the epoch).
inline std::int64_t floor_to(std::int64_t time, std::int64_t step) {
  const std::int64_t q = time / step;
  return (time % step < 0 ? q - 1 : q) * step;
}

}  // namespace sentinel::store
