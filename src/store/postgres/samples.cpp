#include <algorithm>

#include <fmt/format.h>

#include "sentinel/core/crypto.hpp"
#include "sentinel/store/ingest.hpp"

#include "agent_rows.hpp"
#include "postgres/copy.hpp"
#include "postgres/repositories.hpp"
#include "sample_rows.hpp"

namespace sentinel::store::postgres {
namespace {

constexpr const char* kMs = "(extract(epoch FROM {}) * 1000)::bigint";

std::string ms(std::string_view column) {
  return fmt::format(fmt::runtime(kMs), column);
}

// Rows of a (agent, bucket) document, with the bucket as a timestamptz.
constexpr const char* kBucketRows =
    "SELECT a AS agent_id, to_timestamp(t / 1000.0) AS bucket"
    " FROM jsonb_to_recordset($1::jsonb) AS x(a text, t bigint)";

// The rollup reads: the rows the refresh has materialised, and the buckets still queued
// aggregated from the samples now, as TimescaleDB's real-time aggregates. A 5-minute bucket is
// read from the samples while (its agent, it) is queued; an hour while any of its 5-minute
// buckets is. $1 series, $2 and $3 the range of rows, $4 the step, $5 and $6 the 5-minute buckets
// in the range's rows. `{five}` narrows the materialised 5-minute rows read. The samples are
// joined on the queued buckets alone: PostgreSQL then prunes the day partitions per bucket as it
// runs, where constant bounds on `ts` made it read the series' whole range and filter.
constexpr const char* kLiveRollups =
    "WITH pending AS (SELECT DISTINCT bucket FROM rollup_queue WHERE agent_id ="
    "  (SELECT agent_id FROM series WHERE id = $1)"
    "  AND bucket >= to_timestamp($5 / 1000.0) AND bucket < to_timestamp($6 / 1000.0)),"
    " pending_hours AS (SELECT DISTINCT {hour_of_5m} AS hour FROM pending),"
    " live_5m AS ("
    "  SELECT bucket, sum, min, max, count FROM mv_metrics_5m WHERE series_id = $1"
    "   AND {five} AND bucket NOT IN (SELECT bucket FROM pending)"
    "  UNION ALL SELECT p.bucket, sum(s.value), min(s.value), max(s.value), count(*)"
    "   FROM pending p JOIN samples s ON s.series_id = $1 AND s.ts >= p.bucket"
    "   AND s.ts < p.bucket + interval '5 minutes' AND s.value <> 'NaN'"
    "   GROUP BY p.bucket),"
    " live_1h AS ("
    "  SELECT bucket, sum, min, max, count FROM mv_metrics_1h WHERE series_id = $1"
    "   AND bucket >= to_timestamp($2 / 1000.0) AND bucket < to_timestamp($3 / 1000.0)"
    "   AND bucket NOT IN (SELECT hour FROM pending_hours)"
    "  UNION ALL SELECT {hour_of_5m}, sum(sum), min(min), max(max), sum(count)::bigint"
    "   FROM live_5m GROUP BY 1)"
    " SELECT (floor({bucket_ms} / $4::float8) * $4)::bigint AS b, sum(sum) / sum(count),"
    "  min(min), max(max), sum(count)::bigint FROM {rows} GROUP BY 1 ORDER BY 1";

std::string live_rollups_sql(Resolution resolution) {
  using fmt::arg;
  const std::string hour_of_5m = "date_bin('1 hour', bucket, timestamptz 'epoch')";
  const auto five =
      resolution == Resolution::k5m
          ? std::string(
                "bucket >= to_timestamp($5 / 1000.0) AND bucket < to_timestamp($6 / 1000.0)")
          : fmt::format(
                "bucket >= (SELECT min(hour) FROM pending_hours)"
                " AND bucket < (SELECT max(hour) FROM pending_hours) + interval '1 hour'"
                " AND {} IN (SELECT hour FROM pending_hours)",
                hour_of_5m);
  return fmt::format(fmt::runtime(kLiveRollups), arg("five", five), arg("hour_of_5m", hour_of_5m),
                     arg("bucket_ms", ms("bucket")),
                     arg("rows", resolution == Resolution::k5m ? "live_5m" : "live_1h"));
}

// Held by a rollup refresh until its transaction ends. Keyed like the leases (lease.cpp) under
// its own first key 0x53545255 ("STRU"), with the schema in the second.
constexpr const char* kRefreshLock =
    "SELECT pg_advisory_xact_lock(1398035029, hashtext(coalesce(current_schema(), '')))";

class PgSamples final : public SampleRepository {
 public:
  explicit PgSamples(PgConnection& connection) : connection_(connection) {}

  std::vector<std::int64_t> resolve_series(std::span<const SeriesKey> keys) override {
    const auto document = series_keys_json(keys);
    // Two statements: the second's snapshot sees series another worker committed while the
    // first waited on its conflict. Sorted inserts keep concurrent upserts from deadlocking.
    connection_.exec(
        "INSERT INTO series (agent_id, name, labels, hash)"
        " SELECT a, n, l, h FROM jsonb_to_recordset($1::jsonb) AS x(a text, n text, l jsonb,"
        " h bigint) ORDER BY a, h ON CONFLICT (agent_id, hash) DO NOTHING",
        document);
    auto result = connection_.exec(
        "SELECT x.i, s.id FROM jsonb_to_recordset($1::jsonb) AS x(i int, a text, h bigint)"
        " JOIN series s ON s.agent_id = x.a AND s.hash = x.h ORDER BY x.i",
        document);
    if (result.rows() != static_cast<int>(keys.size()))
      throw StoreError("database", "a series vanished while it was being resolved", true);
    std::vector<std::int64_t> ids;
    for (int i = 0; i < result.rows(); ++i) {
      auto row = result.row(i);
      row.int64();
      ids.push_back(row.int64());
    }
    return ids;
  }

  void prepare_days(std::span<const std::int64_t> days) override {
    for (auto day : days) {
      connection_.exec("SELECT sentinel_ensure_samples_partition(date '1970-01-01' + $1)",
                       static_cast<std::int32_t>(day));
    }
  }

  std::vector<bool> claim_batches(std::span<const BatchKey> keys, std::int64_t now) override {
    auto result = connection_.exec(
        "INSERT INTO processed_batches (agent_id, batch_id, processed_at)"
        " SELECT a, b, to_timestamp($2 / 1000.0) FROM jsonb_to_recordset($1::jsonb)"
        " AS x(a text, b bigint) ORDER BY a, b ON CONFLICT DO NOTHING RETURNING agent_id, batch_id",
        batch_keys_json(keys), now);
    std::vector<bool> claimed(keys.size(), false);
    for (int i = 0; i < result.rows(); ++i) {
      auto row = result.row(i);
      const BatchKey key{row.text(), static_cast<std::uint64_t>(row.int64())};
      for (std::size_t k = 0; k < keys.size(); ++k) {
        if (keys[k] == key) claimed[k] = true;
      }
    }
    return claimed;
  }

  void append(std::span<const Sample> samples,
              std::span<const std::pair<std::string, std::int64_t>> buckets) override {
    connection_.copy_from("COPY samples (series_id, ts, value) FROM STDIN (FORMAT binary)",
                          encode(samples));
    queue_buckets(buckets);
  }

  std::size_t append_missing(
      std::span<const Sample> samples,
      std::span<const std::pair<std::string, std::int64_t>> buckets) override {
    // Staged in a temporary table so that one statement can skip the samples already stored
    // (and repeats within `samples`); samples has no unique index to conflict on.
    connection_.execute(
        "CREATE TEMP TABLE IF NOT EXISTS import_samples (series_id bigint NOT NULL,"
        " ts timestamptz NOT NULL, value double precision NOT NULL) ON COMMIT DROP");
    connection_.copy_from("COPY import_samples (series_id, ts, value) FROM STDIN (FORMAT binary)",
                          encode(samples));
    const auto added = connection_
                           .exec(
                               "WITH added AS (INSERT INTO samples (series_id, ts, value)"
                               " SELECT DISTINCT ON (i.series_id, i.ts) i.series_id, i.ts, i.value"
                               " FROM import_samples i WHERE NOT EXISTS (SELECT 1 FROM samples s"
                               "  WHERE s.series_id = i.series_id AND s.ts = i.ts) RETURNING 1)"
                               " SELECT count(*) FROM added")
                           .row(0)
                           .int64();
    connection_.execute("TRUNCATE import_samples");
    queue_buckets(buckets);
    return static_cast<std::size_t>(added);
  }

  std::vector<BatchKey> processed_batches(std::int64_t since, const std::optional<BatchKey>& after,
                                          std::size_t limit) override {
    std::optional<std::string> after_agent;
    if (after) after_agent = after->agent_id;
    auto result = connection_.exec(
        "SELECT agent_id, batch_id FROM processed_batches"
        " WHERE processed_at >= to_timestamp($1 / 1000.0)"
        " AND ($2::text IS NULL OR (agent_id, batch_id) > ($2, $3))"
        " ORDER BY agent_id, batch_id LIMIT $4",
        since, after_agent, after ? static_cast<std::int64_t>(after->batch_id) : 0,
        static_cast<std::int64_t>(limit));
    std::vector<BatchKey> keys;
    for (int i = 0; i < result.rows(); ++i) {
      auto row = result.row(i);
      auto agent = row.text();
      keys.push_back({std::move(agent), static_cast<std::uint64_t>(row.int64())});
    }
    return keys;
  }

  void dead_letter(const DeadLetter& letter) override {
    connection_.exec(
        "INSERT INTO ingest_dlq (received_at, subject, message_id, delivery_count, reason,"
        " payload) VALUES (to_timestamp($1 / 1000.0), $2, $3, $4, $5,"
        " decode(rpad(translate($6, '-_', '+/'), (length($6) + 3) / 4 * 4, '='), 'base64'))",
        letter.received_at, letter.subject, letter.message_id,
        static_cast<std::int64_t>(letter.delivery_count), letter.reason,
        core::to_base64url(letter.payload));
  }

  std::int64_t dead_letter_count() override {
    return connection_.exec("SELECT count(*) FROM ingest_dlq").row(0).int64();
  }

  RollupReport refresh_rollups(std::int64_t max_buckets, std::int64_t now) override {
    RollupReport report;
    // Refreshes take turns (two leaders briefly, an import beside the daemon): one with an
    // older snapshot must not write a bucket's or an hour's row after one with a newer one.
    connection_.exec(kRefreshLock);
    // One statement takes the oldest closed (agent, bucket) pairs with every queue entry of
    // theirs (a bucket is queued once per ingest transaction: taking entries instead of pairs
    // recomputed a busy bucket once per chunk of its entries) and recomputes the pairs whose
    // entries it deleted from the samples; it returns the hours they touch, which the next
    // statement (whose snapshot sees the new 5-minute rows) recomputes from them. Entries
    // committed after the snapshot stay queued for the next refresh. NaN samples stay out: one
    // would make its bucket's avg, sum and max NaN.
    static const auto five = fmt::format(
        "WITH oldest AS (SELECT DISTINCT agent_id, bucket FROM rollup_queue"
        "  WHERE bucket <= to_timestamp($2 / 1000.0) ORDER BY bucket, agent_id LIMIT $1),"
        " taken AS (DELETE FROM rollup_queue q USING oldest o"
        "  WHERE q.agent_id = o.agent_id AND q.bucket = o.bucket RETURNING q.agent_id, q.bucket),"
        " pairs AS (SELECT DISTINCT agent_id, bucket FROM taken),"
        " up AS (INSERT INTO mv_metrics_5m"
        "  SELECT s.series_id, p.bucket, avg(s.value), min(s.value), max(s.value), count(*),"
        "   sum(s.value), (array_agg(s.value ORDER BY s.ts DESC))[1], max(s.ts)"
        "  FROM pairs p JOIN series r ON r.agent_id = p.agent_id"
        "  JOIN samples s ON s.series_id = r.id AND s.ts >= p.bucket"
        "   AND s.ts < p.bucket + interval '5 minutes' AND s.value <> 'NaN'"
        "  GROUP BY s.series_id, p.bucket"
        "  ON CONFLICT (series_id, bucket) DO UPDATE SET avg = excluded.avg, min = excluded.min,"
        "   max = excluded.max, count = excluded.count, sum = excluded.sum,"
        "   last = excluded.last, last_ts = excluded.last_ts RETURNING 1)"
        " SELECT h.agent_id, {}, (SELECT count(*) FROM pairs), (SELECT count(*) FROM up)"
        " FROM (SELECT DISTINCT agent_id, date_bin('1 hour', bucket, timestamptz 'epoch') AS hour"
        "  FROM pairs) h",
        ms("h.hour"));
    auto result = connection_.exec(five, max_buckets, now - k5mMs);
    std::vector<std::pair<std::string, std::int64_t>> hours;
    for (int i = 0; i < result.rows(); ++i) {
      auto row = result.row(i);
      auto agent = row.text();
      hours.emplace_back(std::move(agent), row.int64());
      report.queued = row.int64();
      report.buckets = row.int64();
    }
    if (hours.empty()) return report;
    connection_.exec(
        fmt::format("INSERT INTO mv_metrics_1h"
                    " SELECT m.series_id, p.bucket, sum(m.sum) / sum(m.count), min(m.min),"
                    "  max(m.max), sum(m.count), sum(m.sum),"
                    "  (array_agg(m.last ORDER BY m.last_ts DESC))[1], max(m.last_ts)"
                    " FROM ({}) p JOIN series r ON r.agent_id = p.agent_id"
                    " JOIN mv_metrics_5m m ON m.series_id = r.id AND m.bucket >= p.bucket"
                    "  AND m.bucket < p.bucket + interval '1 hour'"
                    " GROUP BY m.series_id, p.bucket"
                    " ON CONFLICT (series_id, bucket) DO UPDATE SET avg = excluded.avg,"
                    "  min = excluded.min, max = excluded.max, count = excluded.count,"
                    "  sum = excluded.sum, last = excluded.last, last_ts = excluded.last_ts",
                    kBucketRows),
        buckets_json(hours));
    return report;
  }

  std::vector<std::int64_t> ensure_partitions(std::int64_t now, int days_ahead) override {
    const auto today = floor_to(now, kDayMs) / kDayMs;
    std::vector<std::int64_t> days;
    for (auto day = today - 1; day <= today + days_ahead; ++day)
      days.push_back(day);
    prepare_days(days);
    return stored_days();
  }

  RetentionReport apply_retention(const RetentionPolicy& policy, std::int64_t now) override {
    RetentionReport report;
    if (policy.samples_ms > 0) {
      // A day goes once all of it is older than the cutoff.
      const auto cutoff_day = floor_to(now - policy.samples_ms, kDayMs) / kDayMs;
      for (auto day : stored_days()) {
        if (day >= cutoff_day) break;
        connection_.execute(fmt::format("DROP TABLE IF EXISTS samples_p{}", day_name(day)));
        ++report.partitions_dropped;
      }
    }
    auto purge = [&](std::string_view table, std::string_view column, std::int64_t keep) {
      if (keep <= 0) return;
      report.rows_deleted +=
          connection_
              .exec(
                  fmt::format("DELETE FROM {} WHERE {} < to_timestamp($1 / 1000.0)", table, column),
                  now - keep)
              .affected();
    };
    purge("mv_metrics_5m", "bucket", policy.rollups_5m_ms);
    purge("mv_metrics_1h", "bucket", policy.rollups_1h_ms);
    purge("processed_batches", "processed_at", policy.batch_keys_ms);
    return report;
  }

  std::vector<std::int64_t> stored_days() override {
    auto result = connection_.exec(
        "SELECT substr(c.relname, 10) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'samples'::regclass AND c.relname ~ '^samples_p[0-9]{8}$'"
        " ORDER BY 1");
    std::vector<std::int64_t> days;
    for (int i = 0; i < result.rows(); ++i)
      days.push_back(day_from_name(result.row(i).text()));
    return days;
  }

 private:
  // The COPY data of (series_id, ts, value) rows.
  static std::string encode(std::span<const Sample> samples) {
    BinaryCopyWriter writer;
    for (const auto& sample : samples) {
      writer.begin_row(3);
      writer.int8(sample.series_id);
      writer.timestamptz(sample.time);
      writer.float8(sample.value);
    }
    return writer.finish();
  }

  void queue_buckets(std::span<const std::pair<std::string, std::int64_t>> buckets) {
    connection_.exec(fmt::format("INSERT INTO rollup_queue (agent_id, bucket) {}", kBucketRows),
                     buckets_json(buckets));
  }

  PgConnection& connection_;
};

class PgMetricQueries final : public MetricQueries {
 public:
  explicit PgMetricQueries(PgConnection& connection) : connection_(connection) {}

  std::vector<SeriesInfo> series(std::string_view agent_id,
                                 std::optional<std::string_view> name) override {
    std::optional<std::string> metric;
    if (name) metric = std::string(*name);
    auto result = connection_.exec(
        "SELECT id, agent_id, name, labels::text FROM series WHERE agent_id = $1"
        " AND ($2::text IS NULL OR name = $2) ORDER BY name, id",
        agent_id, metric);
    std::vector<SeriesInfo> out;
    for (int i = 0; i < result.rows(); ++i) {
      auto row = result.row(i);
      out.push_back(read_series_info(row));
    }
    return out;
  }

  std::vector<LatestValue> latest(std::span<const std::int64_t> series_ids,
                                  std::int64_t since) override {
    static const auto sql = fmt::format(
        "SELECT r.id, l.ms, l.value FROM unnest($1::bigint[]) AS r(id) CROSS JOIN LATERAL"
        " (SELECT {} AS ms, s.value FROM samples s WHERE s.series_id = r.id"
        "  AND s.ts >= to_timestamp($2 / 1000.0) ORDER BY s.ts DESC LIMIT 1) l ORDER BY r.id",
        ms("s.ts"));
    auto result = connection_.exec(sql, id_array(series_ids), since);
    std::vector<LatestValue> out;
    for (int i = 0; i < result.rows(); ++i) {
      auto row = result.row(i);
      out.push_back(read_point<LatestValue>(row));
    }
    return out;
  }

  std::vector<Bucket> buckets(std::int64_t series_id, Resolution resolution, std::int64_t from,
                              std::int64_t to, std::int64_t step) override {
    static const auto raw = fmt::format(
        "SELECT (floor({} / $4::float8) * $4)::bigint AS b, avg(value), min(value),"
        " max(value), count(*) FROM samples WHERE series_id = $1"
        " AND ts >= to_timestamp($2 / 1000.0) AND ts < to_timestamp($3 / 1000.0)"
        " AND value <> 'NaN'"
        " GROUP BY 1 ORDER BY 1",
        ms("ts"));
    static const auto live_5m = live_rollups_sql(Resolution::k5m);
    static const auto live_1h = live_rollups_sql(Resolution::k1h);
    if (resolution == Resolution::kRaw)
      return read_buckets(connection_.exec(raw, series_id, from, to, step));
    const auto [first, end] = queued_buckets_of(resolution, from, to);
    return read_buckets(connection_.exec(resolution == Resolution::k5m ? live_5m : live_1h,
                                         series_id, from, to, step, first, end));
  }

  std::vector<RawPoint> raw(std::span<const std::int64_t> series_ids, std::int64_t from,
                            std::int64_t to, std::optional<RawCursor> after,
                            std::size_t limit) override {
    static const auto sql = fmt::format(
        "SELECT series_id, {}, value FROM samples WHERE series_id = ANY($1::bigint[])"
        " AND ts >= to_timestamp($2 / 1000.0) AND ts < to_timestamp($3 / 1000.0)"
        " AND ($4::bigint IS NULL OR (ts, series_id) > (to_timestamp($4 / 1000.0), $5))"
        " ORDER BY ts, series_id LIMIT $6",
        ms("ts"));
    std::optional<std::int64_t> after_time, after_series;
    if (after) {
      after_time = after->time;
      after_series = after->series_id;
    }
    auto result = connection_.exec(sql, id_array(series_ids), from, to, after_time,
                                   after_series.value_or(0), static_cast<std::int64_t>(limit));
    std::vector<RawPoint> out;
    for (int i = 0; i < result.rows(); ++i) {
      auto row = result.row(i);
      out.push_back(read_point<RawPoint>(row));
    }
    return out;
  }

 private:
  static std::vector<Bucket> read_buckets(const PgResult& result) {
    std::vector<Bucket> out;
    for (int i = 0; i < result.rows(); ++i) {
      auto row = result.row(i);
      out.push_back(read_bucket(row));
    }
    return out;
  }

  PgConnection& connection_;
};

}  // namespace

std::unique_ptr<SampleRepository> make_samples(PgConnection& connection) {
  return std::make_unique<PgSamples>(connection);
}

std::unique_ptr<MetricQueries> make_metric_queries(PgConnection& connection) {
  return std::make_unique<PgMetricQueries>(connection);
}

}  // namespace sentinel::store::postgres
