#pragma once
// Samples: the series they belong to, their exactly-once ingest, the rollups derived from them,
// retention, and the reads behind the query API. Times are Unix milliseconds; docs/storage.md
// describes the tables.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::store {

using Labels = std::map<std::string, std::string>;

// What identifies a series: the agent, the metric name and its labels.
struct SeriesKey {
  std::string agent_id;
  std::string name;
  Labels labels;
  bool operator==(const SeriesKey&) const = default;
};

// The first 8 bytes of SHA-256 over the canonical name and labels: the `series.hash` column.
std::int64_t series_hash(const SeriesKey& key);

struct Sample {
  std::int64_t series_id = 0;
  std::int64_t time = 0;
  double value = 0;
};

struct BatchKey {
  std::string agent_id;
  std::uint64_t batch_id = 0;
  bool operator==(const BatchKey&) const = default;
};

struct DeadLetter {
  std::string subject;
  std::string message_id;
  std::uint64_t delivery_count = 0;
  std::string reason;
  std::string payload;
  std::int64_t received_at = 0;
};

enum class Resolution { kRaw, k5m, k1h };
std::string_view to_string(Resolution resolution);

struct SeriesInfo {
  std::int64_t id = 0;
  std::string agent_id;
  std::string name;
  Labels labels;
};

struct LatestValue {
  std::int64_t series_id = 0;
  std::int64_t time = 0;
  double value = 0;
};

// One bucket of a range query: [start, start + step).
struct Bucket {
  std::int64_t start = 0;
  double avg = 0;
  double min = 0;
  double max = 0;
  std::int64_t count = 0;
};

struct RawPoint {
  std::int64_t series_id = 0;
  std::int64_t time = 0;
  double value = 0;
};

// Keyset position for paging through raw points ordered by (time, series_id).
struct RawCursor {
  std::int64_t time = 0;
  std::int64_t series_id = 0;
};

// Retention per table; zero keeps everything.
struct RetentionPolicy {
  std::int64_t samples_ms = 90LL * 86'400'000;
  std::int64_t rollups_5m_ms = 365LL * 86'400'000;
  std::int64_t rollups_1h_ms = 5 * 365LL * 86'400'000;
  std::int64_t batch_keys_ms = 90LL * 86'400'000;  // processed_batches
};

struct RetentionReport {
  std::int64_t partitions_dropped = 0;  // PostgreSQL; SQLite deletes rows
  std::int64_t rows_deleted = 0;
};

struct RollupReport {
  std::int64_t queued = 0;   // (agent, 5-minute bucket) pairs taken from the queue
  std::int64_t buckets = 0;  // 5-minute rows written
};

// Writes. Methods throw StoreError.
class SampleRepository {
 public:
  virtual ~SampleRepository() = default;
  // The id of each key, in order, creating the missing series. Safe when several workers
  // create the same series at once. Commits on its own when called outside a transaction.
  virtual std::vector<std::int64_t> resolve_series(std::span<const SeriesKey> keys) = 0;
  // Makes sure samples of each listed UTC day (days since the epoch) can be stored: creates
  // PostgreSQL's partitions; nothing to do on SQLite. Call it outside the ingest transaction.
  virtual void prepare_days(std::span<const std::int64_t> days) = 0;
  // Records the keys in processed_batches; returns, per key, whether it was new. A key another
  // transaction is recording waits for it. Call inside the ingest transaction.
  virtual std::vector<bool> claim_batches(std::span<const BatchKey> keys, std::int64_t now) = 0;
  // Appends samples and queues their (agent, 5-minute bucket) pairs for the rollup refresh.
  virtual void append(std::span<const Sample> samples,
                      std::span<const std::pair<std::string, std::int64_t>> rollup_buckets) = 0;
  // Appends the samples whose series has no sample at that time yet and queues the buckets as
  // append() does; returns how many it stored. `sentineld import` uses it, so that importing an
  // archive twice, or two archives that overlap, stores each sample once. Call it inside a
  // transaction, after prepare_days() for the samples' days.
  virtual std::size_t append_missing(
      std::span<const Sample> samples,
      std::span<const std::pair<std::string, std::int64_t>> rollup_buckets) = 0;
  // The keys in processed_batches recorded at or after `since`, ordered by (agent_id,
  // batch_id), from the one after `after` (`sentineld export`).
  virtual std::vector<BatchKey> processed_batches(std::int64_t since,
                                                  const std::optional<BatchKey>& after,
                                                  std::size_t limit) = 0;
  virtual void dead_letter(const DeadLetter& letter) = 0;
  virtual std::int64_t dead_letter_count() = 0;

  // Materialises up to `max_buckets` of the queued (agent, 5-minute bucket) pairs that ended by
  // `now`, oldest first, from the samples, and their hours from the 5-minute rows; idempotent. A
  // bucket still open stays queued and the reads aggregate it from the samples
  // (MetricQueries::buckets), so each bucket is computed once after it closes instead of again at
  // every refresh while it fills.
  virtual RollupReport refresh_rollups(std::int64_t max_buckets, std::int64_t now) = 0;
  // PostgreSQL: creates the partitions of [today - 1, today + days_ahead]. The days that exist.
  virtual std::vector<std::int64_t> ensure_partitions(std::int64_t now, int days_ahead) = 0;
  virtual RetentionReport apply_retention(const RetentionPolicy& policy, std::int64_t now) = 0;
  // The days that have a partition (PostgreSQL) or any sample (SQLite), ascending.
  virtual std::vector<std::int64_t> stored_days() = 0;
};

// Reads for the query API. Methods throw StoreError.
class MetricQueries {
 public:
  virtual ~MetricQueries() = default;
  // The agent's series, of one metric when `name` is set, ordered by name then id.
  virtual std::vector<SeriesInfo> series(std::string_view agent_id,
                                         std::optional<std::string_view> name) = 0;
  // The latest sample at or after `since` of each listed series that has one.
  virtual std::vector<LatestValue> latest(std::span<const std::int64_t> series_ids,
                                          std::int64_t since) = 0;
  // avg/min/max/count per bucket of `step` ms (aligned to the epoch) over [from, to), read from
  // the raw samples or a rollup. A rollup read is current: the buckets still queued for the
  // refresh (open, or with late samples) are aggregated from the samples at read time.
  virtual std::vector<Bucket> buckets(std::int64_t series_id, Resolution resolution,
                                      std::int64_t from, std::int64_t to, std::int64_t step) = 0;
  // Raw points of the series in [from, to) after `after`, ordered by (time, series_id).
  virtual std::vector<RawPoint> raw(std::span<const std::int64_t> series_ids, std::int64_t from,
                                    std::int64_t to, std::optional<RawCursor> after,
                                    std::size_t limit) = 0;
};

// Milliseconds per day, per rollup bucket.
inline constexpr std::int64_t kDayMs = 86'400'000;
inline constexpr std::int64_t k5mMs = 300'000;
inline constexpr std::int64_t k1hMs = 3'600'000;

}  // namespace sentinel::store
