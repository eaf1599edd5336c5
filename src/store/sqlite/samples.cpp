#include <algorithm>
#include <limits>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "sentinel/store/ingest.hpp"

#include "agent_rows.hpp"
#include "sample_rows.hpp"
#include "sqlite/repositories.hpp"

namespace sentinel::store::sqlite {
namespace {

// New samples go to samples_recent until it holds this many, then move to samples_settled
// (migrations/sqlite/0050_recent_samples.sql). samples_recent has no index
// (0090_unindexed_recent_samples.sql), so this also bounds what a read of it scans; large enough
// that each move writes many samples per series and page. Measured with bench/all/ingest.sh
// (docs/BENCHMARKS.md).
constexpr std::int64_t kSettleRows = 131072;

// A rollup's input rows, (series_id, time, sum, min, max, count) for one agent and bucket:
// from the settled samples (the refresh settles the recent ones first) or from the 5-minute
// rollup. NaN samples (NULL here) stay out, as on PostgreSQL.
constexpr const char* kRawRollupRows =
    "SELECT s.series_id, s.ts AS time, s.value AS sum, s.value AS min, s.value AS max, 1 AS count"
    " FROM series r JOIN samples_settled s ON s.series_id = r.id"
    " WHERE r.agent_id = ?1 AND s.ts >= ?2 AND s.ts < ?2 + ?3 AND s.value IS NOT NULL";
constexpr const char* k5mRollupRows =
    "SELECT s.series_id, s.last_ts AS time, s.sum, s.min, s.max, s.count"
    " FROM series r JOIN mv_metrics_5m s ON s.series_id = r.id"
    " WHERE r.agent_id = ?1 AND s.bucket >= ?2 AND s.bucket < ?2 + ?3 AND s.last IS NOT NULL";

// `value` floored to a multiple of `unit` (both SQL), for negative times too.
std::string floored(std::string_view value, std::string_view unit) {
  return fmt::format("({0} - ((({0} % {1}) + {1}) % {1}))", value, unit);
}

// The rollup reads: the rows the refresh has materialised, and the buckets still queued
// aggregated from the samples now, as TimescaleDB's real-time aggregates. A 5-minute bucket is
// read from the samples while (its agent, it) is queued; an hour while any of its 5-minute
// buckets is. ?1 series, ?2 and ?3 the range of rows, ?4 the step, ?5 and ?6 the 5-minute buckets
// in the range's rows. `{five}` narrows the materialised 5-minute rows read. The queued buckets'
// samples come from each table on its own: samples_settled probed per bucket through its
// (series, time) index, the unindexed samples_recent read once.
constexpr const char* kLiveRollups =
    "WITH pending(bucket) AS (SELECT bucket FROM rollup_queue WHERE agent_id ="
    "  (SELECT agent_id FROM series WHERE id = ?1) AND bucket >= ?5 AND bucket < ?6),"
    " pending_hours(hour) AS (SELECT DISTINCT {hour_of_5m} FROM pending),"
    " fresh(bucket, value) AS ("
    "  SELECT p.bucket, s.value FROM pending p JOIN samples_settled s ON s.series_id = ?1"
    "   AND s.ts >= p.bucket AND s.ts < p.bucket + 300000 WHERE s.value IS NOT NULL"
    "  UNION ALL SELECT {bucket_of_ts}, value FROM samples_recent WHERE series_id = ?1"
    "   AND ts >= ?5 AND ts < ?6 AND value IS NOT NULL"
    "   AND {bucket_of_ts} IN (SELECT bucket FROM pending)),"
    " live_5m(bucket, sum, min, max, count) AS ("
    "  SELECT bucket, sum, min, max, count FROM mv_metrics_5m WHERE series_id = ?1 AND {five}"
    "   AND bucket NOT IN (SELECT bucket FROM pending)"
    "  UNION ALL SELECT bucket, sum(value), min(value), max(value), count(*) FROM fresh"
    "   GROUP BY bucket),"
    " live_1h(bucket, sum, min, max, count) AS ("
    "  SELECT bucket, sum, min, max, count FROM mv_metrics_1h WHERE series_id = ?1"
    "   AND bucket >= ?2 AND bucket < ?3 AND bucket NOT IN (SELECT hour FROM pending_hours)"
    "  UNION ALL SELECT {hour_of_5m}, sum(sum), min(min), max(max), sum(count) FROM live_5m"
    "   GROUP BY 1)"
    " SELECT {step} AS b, sum(sum) / sum(count), min(min), max(max), sum(count) FROM {rows}"
    " GROUP BY 1 ORDER BY 1";

std::string live_rollups_sql(Resolution resolution) {
  using fmt::arg;
  const auto hour_of_5m = floored("bucket", "3600000");
  const auto five = resolution == Resolution::k5m
                        ? std::string("bucket >= ?5 AND bucket < ?6")
                        : fmt::format(
                              "bucket >= (SELECT min(hour) FROM pending_hours)"
                              " AND bucket < (SELECT max(hour) FROM pending_hours) + 3600000"
                              " AND {} IN (SELECT hour FROM pending_hours)",
                              hour_of_5m);
  return fmt::format(fmt::runtime(kLiveRollups), arg("bucket_of_ts", floored("ts", "300000")),
                     arg("five", five), arg("hour_of_5m", hour_of_5m),
                     arg("step", floored("bucket", "?4")),
                     arg("rows", resolution == Resolution::k5m ? "live_5m" : "live_1h"));
}

class SqliteSamples final : public SampleRepository {
 public:
  explicit SqliteSamples(Database& db) : db_(db) {}

  std::vector<std::int64_t> resolve_series(std::span<const SeriesKey> keys) override {
    std::vector<std::int64_t> ids;
    for (const auto& key : keys) {
      const auto hash = series_hash(key);
      db_.query(
             "INSERT OR IGNORE INTO series (agent_id, name, labels, hash) VALUES (?1, ?2, ?3,"
             " ?4)",
             key.agent_id, key.name, labels_to_json(key.labels), hash)
          .run();
      auto rows =
          db_.query("SELECT id FROM series WHERE agent_id = ?1 AND hash = ?2", key.agent_id, hash);
      if (!rows.step()) throw StoreError("database", "a series vanished while resolved", true);
      ids.push_back(rows.row().int64());
    }
    return ids;
  }

  // One file, no partitions.
  void prepare_days(std::span<const std::int64_t>) override {}

  std::vector<bool> claim_batches(std::span<const BatchKey> keys, std::int64_t now) override {
    std::vector<bool> claimed;
    for (const auto& key : keys) {
      claimed.push_back(db_.query("INSERT OR IGNORE INTO processed_batches (agent_id, batch_id,"
                                  " processed_at) VALUES (?1, ?2, ?3)",
                                  key.agent_id, static_cast<std::int64_t>(key.batch_id), now)
                            .run() == 1);
    }
    return claimed;
  }

  void append(std::span<const Sample> samples,
              std::span<const std::pair<std::string, std::int64_t>> buckets) override {
    for (const auto& sample : samples) {
      db_.query("INSERT INTO samples_recent (series_id, ts, value) VALUES (?1, ?2, ?3)",
                sample.series_id, sample.time, sample.value)
          .run();
    }
    queue_buckets(buckets);
    settle_if_due();
  }

  // Imported samples go straight to samples_settled, whose index finds those stored already;
  // the recent ones are settled first, as samples_recent has no index to look them up in.
  std::size_t append_missing(
      std::span<const Sample> samples,
      std::span<const std::pair<std::string, std::int64_t>> buckets) override {
    settle();
    std::size_t added = 0;
    for (const auto& sample : samples) {
      added += static_cast<std::size_t>(
          db_.query("INSERT INTO samples_settled (series_id, ts, value) SELECT ?1, ?2, ?3"
                    " WHERE NOT EXISTS"
                    " (SELECT 1 FROM samples_settled WHERE series_id = ?1 AND ts = ?2)",
                    sample.series_id, sample.time, sample.value)
              .run());
    }
    queue_buckets(buckets);
    return added;
  }

  std::vector<BatchKey> processed_batches(std::int64_t since, const std::optional<BatchKey>& after,
                                          std::size_t limit) override {
    std::optional<std::string> after_agent;
    if (after) after_agent = after->agent_id;
    auto rows = db_.query(
        "SELECT agent_id, batch_id FROM processed_batches WHERE processed_at >= ?1"
        " AND (?2 IS NULL OR (agent_id, batch_id) > (?2, ?3)) ORDER BY agent_id, batch_id"
        " LIMIT ?4",
        since, after_agent, after ? static_cast<std::int64_t>(after->batch_id) : 0,
        static_cast<std::int64_t>(limit));
    std::vector<BatchKey> keys;
    while (rows.step()) {
      auto row = rows.row();
      auto agent = row.text();
      keys.push_back({std::move(agent), static_cast<std::uint64_t>(row.int64())});
    }
    return keys;
  }

  void dead_letter(const DeadLetter& letter) override {
    db_.query(
           "INSERT INTO ingest_dlq (received_at, subject, message_id, delivery_count, reason,"
           " payload) VALUES (?1, ?2, ?3, ?4, ?5, CAST(?6 AS BLOB))",
           letter.received_at, letter.subject, letter.message_id,
           static_cast<std::int64_t>(letter.delivery_count), letter.reason, letter.payload)
        .run();
  }

  std::int64_t dead_letter_count() override {
    auto rows = db_.query("SELECT count(*) FROM ingest_dlq");
    rows.step();
    return rows.row().int64();
  }

  RollupReport refresh_rollups(std::int64_t max_buckets, std::int64_t now) override {
    RollupReport report;
    std::vector<std::int64_t> taken;
    std::vector<std::pair<std::string, std::int64_t>> pairs;
    {
      // One entry per (agent, bucket) (migrations/sqlite/0080_rollups_of_closed_buckets.sql).
      auto rows = db_.query(
          "SELECT id, agent_id, bucket FROM rollup_queue WHERE bucket <= ?1"
          " ORDER BY bucket, agent_id LIMIT ?2",
          now - k5mMs, max_buckets);
      while (rows.step()) {
        auto row = rows.row();
        taken.push_back(row.int64());
        auto agent = row.text();
        pairs.emplace_back(std::move(agent), row.int64());
      }
    }
    // The closed buckets' samples are then all read through samples_settled's index.
    if (!pairs.empty()) settle();
    std::vector<std::pair<std::string, std::int64_t>> hours;
    for (const auto& [agent, bucket] : pairs) {
      report.buckets += recompute_5m(agent, bucket);
      std::pair<std::string, std::int64_t> hour{agent, floor_to(bucket, k1hMs)};
      if (std::find(hours.begin(), hours.end(), hour) == hours.end()) hours.push_back(hour);
    }
    for (const auto& [agent, hour] : hours) {
      recompute_1h(agent, hour);
    }
    db_.query("DELETE FROM rollup_queue WHERE id IN (SELECT value FROM json_each(?1))",
              id_json(taken))
        .run();
    report.queued = static_cast<std::int64_t>(taken.size());
    return report;
  }

  std::vector<std::int64_t> ensure_partitions(std::int64_t, int) override { return stored_days(); }

  RetentionReport apply_retention(const RetentionPolicy& policy, std::int64_t now) override {
    RetentionReport report;
    auto purge = [&](std::string_view table, std::string_view column, std::int64_t keep) {
      if (keep <= 0) return;
      report.rows_deleted +=
          db_.query(fmt::format("DELETE FROM {} WHERE {} < ?1", table, column), now - keep).run();
    };
    // Whole days, as PostgreSQL drops them.
    if (policy.samples_ms > 0) {
      const auto cutoff = floor_to(now - policy.samples_ms, kDayMs);
      for (const char* table : {"samples_settled", "samples_recent"})
        report.rows_deleted +=
            db_.query(fmt::format("DELETE FROM {} WHERE ts < ?1", table), cutoff).run();
    }
    purge("mv_metrics_5m", "bucket", policy.rollups_5m_ms);
    purge("mv_metrics_1h", "bucket", policy.rollups_1h_ms);
    purge("processed_batches", "processed_at", policy.batch_keys_ms);
    return report;
  }

  std::vector<std::int64_t> stored_days() override {
    // Hops from day to day through the ts index instead of reading every sample.
    std::vector<std::int64_t> days;
    std::int64_t from = std::numeric_limits<std::int64_t>::min();
    while (true) {
      // Each table on its own: the compound view would be read whole for its min().
      auto rows = db_.query(
          "SELECT min(m) FROM (SELECT min(ts) AS m FROM samples_settled WHERE ts >= ?1"
          " UNION ALL SELECT min(ts) FROM samples_recent WHERE ts >= ?1)",
          from);
      rows.step();
      auto row = rows.row();
      if (row.null()) break;
      const auto day = floor_to(row.int64(), kDayMs) / kDayMs;
      days.push_back(day);
      from = (day + 1) * kDayMs;
    }
    return days;
  }

 private:
  void queue_buckets(std::span<const std::pair<std::string, std::int64_t>> buckets) {
    for (const auto& [agent, bucket] : buckets) {
      db_.query("INSERT OR IGNORE INTO rollup_queue (agent_id, bucket) VALUES (?1, ?2)", agent,
                bucket)
          .run();
    }
  }

  // Settles the recent samples once there are kSettleRows of them. The rowids count them: the
  // table is only ever emptied whole, so they run from 1 without gaps but for retention's.
  void settle_if_due() {
    auto span = db_.query(  // one min() or max() per SELECT: each is then one rowid probe
        "SELECT (SELECT max(rowid) FROM samples_recent) - (SELECT min(rowid) FROM samples_recent)"
        " + 1");
    span.step();
    auto held = span.row();
    if (!held.null() && held.int64() >= kSettleRows) settle();
  }

  // Moves the recent samples into samples_settled, in (series, time) order, so that each move
  // writes many samples of a series per page (migrations/sqlite/0050_recent_samples.sql).
  void settle() {
    db_.query(
           "INSERT INTO samples_settled (series_id, ts, value)"
           " SELECT series_id, ts, value FROM samples_recent ORDER BY series_id, ts")
        .run();
    db_.query("DELETE FROM samples_recent").run();
  }

  std::int64_t recompute_5m(const std::string& agent, std::int64_t bucket) {
    return recompute(agent, bucket, k5mMs, "mv_metrics_5m", kRawRollupRows,
                     "SELECT value FROM samples_settled x WHERE x.series_id = g.series_id"
                     " AND x.ts = g.last_ts AND x.value IS NOT NULL LIMIT 1");
  }

  std::int64_t recompute_1h(const std::string& agent, std::int64_t hour) {
    return recompute(agent, hour, k1hMs, "mv_metrics_1h", k5mRollupRows,
                     "SELECT last FROM mv_metrics_5m x WHERE x.series_id = g.series_id"
                     " AND x.last_ts = g.last_ts AND x.last IS NOT NULL LIMIT 1");
  }

  // Rewrites the rows of one agent's series in [start, start + width) of `target` from `rows`
  // (see kRawRollupRows); `last` is the value of series g.series_id at its latest time.
  std::int64_t recompute(const std::string& agent, std::int64_t start, std::int64_t width,
                         std::string_view target, std::string_view rows, std::string_view last) {
    const auto sql = fmt::format(
        "INSERT OR REPLACE INTO {} (series_id, bucket, avg, min, max, count, sum, last, last_ts)"
        " SELECT g.series_id, ?2, g.sum / g.count, g.min, g.max, g.count, g.sum, ({}), g.last_ts"
        " FROM (SELECT series_id, sum(sum) AS sum, min(min) AS min, max(max) AS max,"
        "  sum(count) AS count, max(time) AS last_ts FROM ({}) GROUP BY series_id) g",
        target, last, rows);
    return db_.query(sql, agent, start, width).run();
  }

  Database& db_;
};

class SqliteMetricQueries final : public MetricQueries {
 public:
  explicit SqliteMetricQueries(Database& db)
      : db_(db),
        raw_buckets_(fmt::format("SELECT {} AS b, avg(value), min(value), max(value), count(*)"
                                 " FROM samples WHERE series_id = ?1 AND ts >= ?2 AND ts < ?3"
                                 " AND value IS NOT NULL GROUP BY 1 ORDER BY 1",
                                 floored("ts", "?4"))),
        live_5m_(live_rollups_sql(Resolution::k5m)),
        live_1h_(live_rollups_sql(Resolution::k1h)) {}

  std::vector<SeriesInfo> series(std::string_view agent_id,
                                 std::optional<std::string_view> name) override {
    std::optional<std::string> metric;
    if (name) metric = std::string(*name);
    auto rows = db_.query(
        "SELECT id, agent_id, name, labels FROM series WHERE agent_id = ?1"
        " AND (?2 IS NULL OR name = ?2) ORDER BY name, id",
        agent_id, metric);
    std::vector<SeriesInfo> out;
    while (rows.step()) {
      auto row = rows.row();
      out.push_back(read_series_info(row));
    }
    return out;
  }

  // The later of each series' latest settled sample (one index probe per series) and its
  // latest recent one (one read of the unindexed samples_recent for all of them).
  std::vector<LatestValue> latest(std::span<const std::int64_t> series_ids,
                                  std::int64_t since) override {
    auto newest = latest_recent(series_ids, since);
    std::vector<LatestValue> out;
    for (auto id : series_ids) {
      auto rows = db_.query(
          "SELECT series_id, ts, value FROM samples_settled WHERE series_id = ?1 AND ts >= ?2"
          " ORDER BY ts DESC LIMIT 1",
          id, since);
      std::optional<LatestValue> found;
      if (rows.step()) {
        auto row = rows.row();
        found = read_point<LatestValue>(row);
      }
      if (auto recent = newest.find(id);
          recent != newest.end() && (!found || recent->second.time > found->time)) {
        found = recent->second;
      }
      if (found) out.push_back(*found);
    }
    return out;
  }

  std::vector<Bucket> buckets(std::int64_t series_id, Resolution resolution, std::int64_t from,
                              std::int64_t to, std::int64_t step) override {
    if (resolution == Resolution::kRaw) {
      return read_buckets(db_.query(raw_buckets_, series_id, from, to, step));
    }
    const auto [first, end] = queued_buckets_of(resolution, from, to);
    return read_buckets(db_.query(resolution == Resolution::k5m ? live_5m_ : live_1h_, series_id,
                                  from, to, step, first, end));
  }

  std::vector<RawPoint> raw(std::span<const std::int64_t> series_ids, std::int64_t from,
                            std::int64_t to, std::optional<RawCursor> after,
                            std::size_t limit) override {
    std::optional<std::int64_t> after_time, after_series;
    if (after) {
      after_time = after->time;
      after_series = after->series_id;
    }
    auto rows = db_.query(
        "SELECT series_id, ts, value FROM samples WHERE series_id IN"
        " (SELECT value FROM json_each(?1)) AND ts >= ?2 AND ts < ?3"
        " AND (?4 IS NULL OR (ts, series_id) > (?4, ?5)) ORDER BY ts, series_id LIMIT ?6",
        id_json(series_ids), from, to, after_time, after_series.value_or(0),
        static_cast<std::int64_t>(limit));
    std::vector<RawPoint> out;
    while (rows.step()) {
      auto row = rows.row();
      out.push_back(read_point<RawPoint>(row));
    }
    return out;
  }

 private:
  std::unordered_map<std::int64_t, LatestValue> latest_recent(
      std::span<const std::int64_t> series_ids, std::int64_t since) {
    // SQLite takes the bare column `value` from the row whose ts is the max.
    auto rows = db_.query(
        "SELECT series_id, max(ts), value FROM samples_recent WHERE series_id IN"
        " (SELECT value FROM json_each(?1)) AND ts >= ?2 GROUP BY series_id",
        id_json(series_ids), since);
    std::unordered_map<std::int64_t, LatestValue> out;
    while (rows.step()) {
      auto row = rows.row();
      auto value = read_point<LatestValue>(row);
      out.emplace(value.series_id, value);
    }
    return out;
  }

  static std::vector<Bucket> read_buckets(Statement rows) {
    std::vector<Bucket> out;
    while (rows.step()) {
      auto row = rows.row();
      out.push_back(read_bucket(row));
    }
    return out;
  }

  Database& db_;
  const std::string raw_buckets_;
  const std::string live_5m_;
  const std::string live_1h_;
};

}  // namespace

std::unique_ptr<SampleRepository> make_samples(Database& db) {
  return std::make_unique<SqliteSamples>(db);
}

std::unique_ptr<MetricQueries> make_metric_queries(Database& db) {
  return std::make_unique<SqliteMetricQueries>(db);
}

}  // namespace sentinel::store::sqlite
