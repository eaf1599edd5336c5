// The samples contract: exactly-once ingest, rollups, retention and the query reads, each case
// against SQLite and PostgreSQL.
#include <algorithm>
#include <cmath>
#include <map>
#include <thread>
#include <type_traits>

#include <catch2/catch.hpp>

#include "sentinel/store/ingest.hpp"

#include "backends.hpp"
#include "postgres/connection.hpp"

using namespace sentinel;
using namespace sentinel::store;
using namespace sentinel::store::test;

namespace {

constexpr std::int64_t kNow = 1'795'450'000'000;  // 2026-11-24T14:46:40Z
constexpr std::int64_t kHour = kNow - kNow % k1hMs;

IngestBatch make_batch(const std::string& agent, std::uint64_t id, std::int64_t first_time,
                       int points, std::int64_t spacing = 10'000) {
  IngestBatch batch{{agent, id}, {}};
  for (int i = 0; i < points; ++i) {
    const double value = static_cast<double>((id * 37 + static_cast<std::uint64_t>(i) * 11) % 101);
    batch.points.push_back(
        {"cpu_usage_percent", {{"cpu", "total"}}, first_time + i * spacing, value});
    batch.points.push_back({"memory_used_percent", {}, first_time + i * spacing, value / 2});
  }
  return batch;
}

template <class Backend>
struct Samples {
  Backend backend;
  std::unique_ptr<OpenStore> store = backend.open();
  IngestCache cache;

  IngestReport ingest(std::vector<IngestBatch> batches, std::int64_t now = kNow) {
    auto report = store->run([&](Session& s) { return ingest_batches(s, cache, batches, now); });
    REQUIRE(report);
    return *report;
  }
  std::vector<SeriesInfo> series(const std::string& agent,
                                 std::optional<std::string_view> name = std::nullopt) {
    auto found = store->run([&](Session& s) { return s.metric_queries().series(agent, name); },
                            Access::kRead);
    REQUIRE(found);
    return *found;
  }
  std::vector<RawPoint> raw(const std::vector<std::int64_t>& ids, std::int64_t from,
                            std::int64_t to) {
    auto points = store->run(
        [&](Session& s) { return s.metric_queries().raw(ids, from, to, std::nullopt, 1'000'000); },
        Access::kRead);
    REQUIRE(points);
    return *points;
  }
  std::vector<Bucket> buckets(std::int64_t id, Resolution resolution, std::int64_t from,
                              std::int64_t to, std::int64_t step) {
    auto got = store->run(
        [&](Session& s) { return s.metric_queries().buckets(id, resolution, from, to, step); },
        Access::kRead);
    REQUIRE(got);
    return *got;
  }
  RollupReport refresh(std::int64_t now = kNow, std::int64_t max_buckets = 100'000) {
    auto report = store->run([&](Session& s) {
      RollupReport out;
      s.transaction([&] { out = s.samples().refresh_rollups(max_buckets, now); });
      return out;
    });
    REQUIRE(report);
    return *report;
  }
  std::vector<std::int64_t> ids(const std::string& agent) {
    std::vector<std::int64_t> ids;
    for (const auto& info : series(agent))
      ids.push_back(info.id);
    return ids;
  }
};

// avg/min/max/count per bucket of `step`, computed here from raw points.
std::map<std::int64_t, Bucket> aggregate(const std::vector<RawPoint>& points, std::int64_t step) {
  std::map<std::int64_t, Bucket> out;
  std::map<std::int64_t, double> sums;
  for (const auto& point : points) {
    const auto start = floor_to(point.time, step);
    auto [it, fresh] = out.try_emplace(start, Bucket{start, 0, point.value, point.value, 0});
    auto& bucket = it->second;
    bucket.min = std::min(bucket.min, point.value);
    bucket.max = std::max(bucket.max, point.value);
    ++bucket.count;
    sums[start] += point.value;
  }
  for (auto& [start, bucket] : out)
    bucket.avg = sums[start] / static_cast<double>(bucket.count);
  return out;
}

void check_equal(const std::vector<Bucket>& got, const std::map<std::int64_t, Bucket>& want) {
  REQUIRE(got.size() == want.size());
  for (const auto& bucket : got) {
    INFO("bucket " << bucket.start);
    REQUIRE(want.contains(bucket.start));
    const auto& expected = want.at(bucket.start);
    CHECK(bucket.count == expected.count);
    CHECK(bucket.min == expected.min);
    CHECK(bucket.max == expected.max);
    CHECK(bucket.avg == Approx(expected.avg).epsilon(1e-12));
  }
}

}  // namespace

TEMPLATE_TEST_CASE("samples: a batch is stored once however often it is ingested", "[samples]",
                   SqliteBackend, PostgresBackend) {
  Samples<TestType> db;
  const auto agent = test_agent("a");
  create_agent(*db.store, agent);
  auto first = db.ingest({make_batch(agent.id, 1, kNow - 60'000, 5)});
  CHECK(first.stored_batches == 1);
  CHECK(first.samples == 10);

  // Redelivered alone, and again beside a new batch and a copy of itself in one group.
  auto again = db.ingest({make_batch(agent.id, 1, kNow - 60'000, 5)});
  CHECK(again.stored_batches == 0);
  CHECK(again.duplicate_batches == 1);
  auto mixed = db.ingest({make_batch(agent.id, 1, kNow - 60'000, 5),
                          make_batch(agent.id, 2, kNow - 10'000, 1),
                          make_batch(agent.id, 2, kNow - 10'000, 1)});
  CHECK(mixed.stored_batches == 1);
  CHECK(mixed.duplicate_batches == 2);
  CHECK(mixed.cache_hits > 0);

  CHECK(db.raw(db.ids(agent.id), 0, kNow + 1).size() == 12);
  CHECK(db.series(agent.id).size() == 2);
  CHECK(find_agent(*db.store, agent.id)->last_seen == kNow);
}

TEMPLATE_TEST_CASE("samples: series resolve to the same id from a cold cache", "[samples]",
                   SqliteBackend, PostgresBackend) {
  Samples<TestType> db;
  db.ingest({make_batch("agt_x", 1, kNow, 1)});
  const auto before = db.ids("agt_x");
  IngestCache cold;
  auto report = db.store->run([&](Session& s) {
    std::vector<IngestBatch> batches{make_batch("agt_x", 2, kNow + 1'000, 1)};
    return ingest_batches(s, cold, batches, kNow);
  });
  REQUIRE(report);
  CHECK(report->cache_misses == 2);
  CHECK(db.ids("agt_x") == before);
  CHECK(db.series("agt_x", "memory_used_percent").size() == 1);
}

TEMPLATE_TEST_CASE("samples: series of an ingest that was rolled back are not remembered",
                   "[samples]", SqliteBackend, PostgresBackend) {
  // The SQLite writer runs an ingest in a savepoint of a transaction it shares with other jobs;
  // when that transaction rolls back, the series the ingest created are gone, and SQLite hands
  // their ids to the next new series. The cache must not keep the vanished ids.
  Samples<TestType> db;
  auto rolled_back = db.store->run([&](Session& s) {
    s.transaction([&] {
      std::vector<IngestBatch> batches{make_batch("agt_a", 1, kNow, 1)};
      ingest_batches(s, db.cache, batches, kNow);
      throw StoreError("test", "the shared transaction failed", true);
    });
    return core::Unit{};
  });
  REQUIRE_FALSE(rolled_back);
  CHECK(db.series("agt_a").empty());

  db.ingest({make_batch("agt_b", 1, kNow, 1)});
  db.ingest({make_batch("agt_a", 2, kNow, 1)});
  CHECK(db.series("agt_a").size() == 2);
  CHECK(db.raw(db.ids("agt_a"), 0, kNow + 1).size() == 2);
  CHECK(db.raw(db.ids("agt_b"), 0, kNow + 1).size() == 2);
}

TEMPLATE_TEST_CASE("samples: NaN and infinite values are stored; rollups aggregate the numbers",
                   "[samples]", SqliteBackend, PostgresBackend) {
  // Exporters write NaN (a summary's quantile before any observation) and infinities.
  Samples<TestType> db;
  IngestBatch batch{{"agt_nan", 1}, {}};
  const auto add = [&](const char* name, std::vector<double> values) {
    for (std::size_t i = 0; i < values.size(); ++i)
      batch.points.push_back({name, {}, kNow + static_cast<std::int64_t>(i) * 1'000, values[i]});
  };
  const double nan = std::nan("");
  add("odd_values", {nan, HUGE_VAL, -HUGE_VAL, 1.5});
  add("partly_nan", {1.5, nan, 2.5});
  add("only_nan", {nan, nan});
  CHECK(db.ingest({batch}).stored_batches == 1);
  const auto id = [&](std::string_view name) { return db.series("agt_nan", name).at(0).id; };

  const auto points = db.raw({id("odd_values")}, 0, kNow + 10'000);
  REQUIRE(points.size() == 4);
  CHECK(std::isnan(points[0].value));
  CHECK(points[1].value == HUGE_VAL);
  CHECK(points[2].value == -HUGE_VAL);
  CHECK(points[3].value == 1.5);

  // Read from the samples while kNow's bucket is open, then from its materialised rollup.
  for (auto now : {kNow, kNow + k5mMs}) {
    db.refresh(now);
    for (auto resolution : {Resolution::kRaw, Resolution::k5m, Resolution::k1h}) {
      INFO(to_string(resolution) << " at " << now);
      const auto partly = db.buckets(id("partly_nan"), resolution, kHour, kHour + k1hMs, k1hMs);
      REQUIRE(partly.size() == 1);
      CHECK(partly[0].count == 2);
      CHECK(partly[0].avg == 2.0);
      CHECK(partly[0].min == 1.5);
      CHECK(partly[0].max == 2.5);
      CHECK(db.buckets(id("only_nan"), resolution, kHour, kHour + k1hMs, k1hMs).empty());
    }
  }
}

TEMPLATE_TEST_CASE("samples: rollups equal a direct aggregate of the samples", "[samples]",
                   SqliteBackend, PostgresBackend) {
  Samples<TestType> db;
  // Three hours of samples every 10 s, in batches of 6 minutes, then a late batch into the
  // first hour after a refresh.
  std::uint64_t id = 1;
  for (std::int64_t t = kHour - 3 * k1hMs; t < kHour; t += 36 * 10'000)
    db.ingest({make_batch("agt_r", id++, t, 36)});
  CHECK(db.refresh().queued > 0);
  db.ingest({make_batch("agt_r", id++, kHour - 3 * k1hMs + 5'000, 20, 7'000)});
  db.refresh();
  CHECK(db.refresh().queued == 0);  // nothing left; repeating changes nothing

  const auto from = kHour - 3 * k1hMs;
  for (const auto& info : db.series("agt_r")) {
    INFO(info.name);
    const auto points = db.raw({info.id}, from, kHour);
    check_equal(db.buckets(info.id, Resolution::k5m, from, kHour, k5mMs), aggregate(points, k5mMs));
    check_equal(db.buckets(info.id, Resolution::k1h, from, kHour, k1hMs), aggregate(points, k1hMs));
    check_equal(db.buckets(info.id, Resolution::kRaw, from, kHour, 60'000),
                aggregate(points, 60'000));
    // Wider steps over the rollups combine their buckets.
    check_equal(db.buckets(info.id, Resolution::k5m, from, kHour, 30 * 60'000),
                aggregate(points, 30 * 60'000));
  }
}

TEMPLATE_TEST_CASE("samples: rollup reads are current before the refresh has run", "[samples]",
                   SqliteBackend, PostgresBackend) {
  // The refresh materialises only the buckets that have closed; the reads aggregate the queued
  // ones (the open bucket, late samples) from the samples. From the hour before kHour up to kNow,
  // every 10 s.
  Samples<TestType> db;
  const auto from = kHour - k1hMs;
  std::uint64_t id = 1;
  for (auto t = from; t <= kNow; t += 60 * 10'000)
    db.ingest(
        {make_batch("agt_live", id++, t, std::min<std::int64_t>(60, (kNow - t) / 10'000 + 1))});
  const auto ids = db.ids("agt_live");
  const auto materialised = [&] { return db.backend.scalar("SELECT count(*) FROM mv_metrics_5m"); };
  const auto check_reads = [&] {
    for (auto series : ids) {
      const auto points = db.raw({series}, from, kNow + k1hMs);
      check_equal(db.buckets(series, Resolution::k5m, from, kNow + k1hMs, k5mMs),
                  aggregate(points, k5mMs));
      check_equal(db.buckets(series, Resolution::k1h, from, kNow + k1hMs, k1hMs),
                  aggregate(points, k1hMs));
      check_equal(db.buckets(series, Resolution::k1h, from, kNow + k1hMs, 2 * k1hMs),
                  aggregate(points, 2 * k1hMs));
    }
  };

  CHECK(materialised() == 0);
  check_reads();

  // The closed buckets are materialised; kNow's bucket stays queued.
  const auto closed = (floor_to(kNow, k5mMs) - from) / k5mMs;
  CHECK(db.refresh(kNow).queued == closed);
  CHECK(materialised() == 2 * closed);
  check_reads();

  // A late batch into a materialised bucket is read from the samples until the next refresh.
  db.ingest({make_batch("agt_live", id++, from + 1'000, 3, 7'000)});
  check_reads();
  CHECK(db.refresh(kNow).queued == 1);
  check_reads();

  // Once kNow's bucket has closed too, everything is materialised and the reads agree.
  CHECK(db.refresh(kNow + k5mMs).queued == 1);
  CHECK(materialised() == 2 * (closed + 1));
  check_reads();
}

TEMPLATE_TEST_CASE("samples: the refresh takes a bucket whole, however often it was queued",
                   "[samples]", SqliteBackend, PostgresBackend) {
  // Three ingest transactions into each of two closed buckets; a refresh of one bucket at a time
  // materialises the oldest and leaves nothing of it queued.
  Samples<TestType> db;
  const auto first = kHour - 2 * k5mMs;
  for (std::uint64_t id = 1; id <= 6; ++id)
    db.ingest(
        {make_batch("agt_q", id, first + (id > 3 ? k5mMs : 0) + static_cast<std::int64_t>(id), 1)});
  const auto queued = [&] { return db.backend.scalar("SELECT count(*) FROM rollup_queue"); };
  const bool one_entry_per_bucket = std::is_same_v<TestType, SqliteBackend>;
  CHECK(queued() == (one_entry_per_bucket ? 2 : 6));

  const auto report = db.refresh(kNow, 1);
  CHECK(report.queued == 1);
  CHECK(report.buckets == 2);  // the bucket's two series
  CHECK(db.backend.scalar("SELECT count(*) FROM mv_metrics_5m") == 2);
  CHECK(queued() == (one_entry_per_bucket ? 1 : 3));
  CHECK(db.refresh().queued == 1);
  CHECK(queued() == 0);
}

TEST_CASE("samples: overlapping refreshes on PostgreSQL leave no stale rollup", "[samples]") {
  // Refresh A takes its snapshot and then waits on a 5-minute row of agt_a held here (agt_a's
  // series sort first); meanwhile an ingest commits newer samples into agt_z's older bucket,
  // which A took too, and refresh B is asked for that bucket. B must wait for A rather than
  // materialise it and then see A overwrite its rows with A's older numbers (two leaders
  // briefly, or an import beside the daemon).
  Samples<PostgresBackend> db;
  const auto older = kHour - 2 * k5mMs, newer = kHour - k5mMs;
  db.ingest({make_batch("agt_z", 1, older, 1), make_batch("agt_a", 2, newer, 1)});
  db.refresh();  // the rows exist, so that one can be held
  db.ingest({make_batch("agt_z", 3, older + 1'000, 1), make_batch("agt_a", 4, newer + 1'000, 1)});

  auto holder = db.backend.connect();
  holder->execute("BEGIN");
  holder->exec("SELECT 1 FROM mv_metrics_5m WHERE series_id = $1 FOR UPDATE",
               db.ids("agt_a").front());
  auto watcher = db.backend.connect();
  const auto waiting_on = [&](std::string_view pids) {
    return watcher
        ->exec(fmt::format("SELECT count(*) FROM pg_stat_activity"
                           " WHERE pg_blocking_pids(pid) && ARRAY[{}]",
                           pids))
        .row(0)
        .int64();
  };
  const auto holder_pid = std::to_string(holder->exec("SELECT pg_backend_pid()").row(0).int64());
  const auto refresh = [&](std::int64_t max_buckets, std::atomic<bool>& done) {
    return std::thread([&db, max_buckets, &done] {
      (void)db.store->run([&](Session& s) {
        s.transaction([&] { s.samples().refresh_rollups(max_buckets, kNow); });
        return core::Unit{};
      });
      done = true;
    });
  };

  std::atomic<bool> a_done = false, b_done = false;
  auto a = refresh(100, a_done);
  REQUIRE(sentinel::test::eventually([&] { return waiting_on(holder_pid) == 1; }));
  db.ingest({make_batch("agt_z", 5, older + 2'000, 1)});
  auto b = refresh(1, b_done);  // the oldest closed bucket: agt_z's
  const auto a_pid = std::to_string(
      watcher
          ->exec("SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))",
                 std::stoll(holder_pid))
          .row(0)
          .int64());
  CHECK(sentinel::test::eventually(
      [&] { return b_done || waiting_on(holder_pid + "," + a_pid) == 2; }));
  CHECK_FALSE(b_done);
  holder->execute("COMMIT");
  a.join();
  b.join();

  for (auto series : db.ids("agt_z")) {
    const auto points = db.raw({series}, older, kHour);
    REQUIRE(points.size() == 3);
    check_equal(db.buckets(series, Resolution::k5m, older, kHour, k5mMs), aggregate(points, k5mMs));
  }
  CHECK(db.backend.scalar("SELECT count(*) FROM rollup_queue") == 0);
}

TEMPLATE_TEST_CASE("samples: latest values and raw pages", "[samples]", SqliteBackend,
                   PostgresBackend) {
  Samples<TestType> db;
  db.ingest({make_batch("agt_l", 1, kNow - 50'000, 5)});
  const auto ids = db.ids("agt_l");
  auto latest =
      db.store->run([&](Session& s) { return s.metric_queries().latest(ids, kNow - 3'600'000); });
  REQUIRE(latest);
  REQUIRE(latest->size() == 2);
  for (const auto& value : *latest)
    CHECK(value.time == kNow - 10'000);
  auto none = db.store->run([&](Session& s) { return s.metric_queries().latest(ids, kNow); });
  REQUIRE(none);
  CHECK(none->empty());

  // Pages of 3 cover the 10 points once each, in (time, series) order.
  std::vector<RawPoint> all;
  std::optional<RawCursor> after;
  while (true) {
    auto page =
        db.store->run([&](Session& s) { return s.metric_queries().raw(ids, 0, kNow, after, 3); });
    REQUIRE(page);
    if (page->empty()) break;
    all.insert(all.end(), page->begin(), page->end());
    after = RawCursor{page->back().time, page->back().series_id};
  }
  CHECK(all.size() == 10);
  CHECK(std::is_sorted(all.begin(), all.end(), [](const RawPoint& a, const RawPoint& b) {
    return std::tie(a.time, a.series_id) < std::tie(b.time, b.series_id);
  }));
}

TEMPLATE_TEST_CASE("samples: the latest value is the latest in time, whichever table holds it",
                   "[samples]", SqliteBackend, PostgresBackend) {
  // On SQLite the refresh of a closed bucket settles the recent samples; a late sample then
  // lands in samples_recent older than the settled ones of its series, a new one newer.
  Samples<TestType> db;
  db.ingest({make_batch("agt_t", 1, kHour - k5mMs, 3)});  // a closed bucket
  CHECK(db.refresh().buckets == 2);
  const auto ids = db.ids("agt_t");
  REQUIRE(ids.size() == 2);
  using Latest = std::vector<std::pair<std::int64_t, double>>;  // (time, value) per series
  auto latest_values = [&] {
    auto latest =
        db.store->run([&](Session& s) { return s.metric_queries().latest(ids, kHour - k1hMs); });
    REQUIRE(latest);
    Latest out;
    for (const auto& value : *latest)
      out.emplace_back(value.time, value.value);
    return out;
  };
  // ids are in name order: cpu_usage_percent, memory_used_percent (values: make_batch).
  const auto settled_last = kHour - k5mMs + 20'000;
  const Latest settled = {{settled_last, 59}, {settled_last, 29.5}};
  CHECK(latest_values() == settled);

  IngestBatch late{{"agt_t", 2},
                   {{"cpu_usage_percent", {{"cpu", "total"}}, kHour - k5mMs + 5'000, 7}}};
  db.ingest({late});
  CHECK(latest_values() == settled);

  db.ingest({make_batch("agt_t", 3, kHour, 1)});
  CHECK(latest_values() == Latest{{kHour, 10}, {kHour, 5}});
  if constexpr (std::is_same_v<TestType, SqliteBackend>) {
    CHECK(db.backend.scalar("SELECT count(*) FROM samples_settled") == 6);
    CHECK(db.backend.scalar("SELECT count(*) FROM samples_recent") == 3);
  }
}

TEST_CASE("samples: SQLite's refresh settles the recent samples when a bucket has closed",
          "[samples]") {
  // samples_recent has no index (migrations/sqlite/0090_unindexed_recent_samples.sql): reads
  // scan it, so it must not grow under a light load, where 131,072 rows take hours to come.
  Samples<SqliteBackend> db;
  db.ingest({make_batch("agt_r", 1, kHour, 3)});
  CHECK(db.refresh(kHour + 30'000).buckets == 0);  // the bucket is open: nothing to settle for
  CHECK(db.backend.scalar("SELECT count(*) FROM samples_recent") == 6);

  const auto closed = kHour + k5mMs;
  CHECK(db.refresh(closed).buckets == 2);
  CHECK(db.backend.scalar("SELECT count(*) FROM samples_recent") == 0);
  CHECK(db.backend.scalar("SELECT count(*) FROM samples_settled") == 6);
  const auto ids = db.ids("agt_r");
  REQUIRE(ids.size() == 2);
  check_equal(db.buckets(ids[0], Resolution::k5m, kHour, closed, k5mMs),
              aggregate(db.raw({ids[0]}, kHour, closed), k5mMs));
}

TEMPLATE_TEST_CASE("samples: retention drops old days and rollups, keeps the rest", "[samples]",
                   SqliteBackend, PostgresBackend) {
  Samples<TestType> db;
  db.ingest({make_batch("agt_old", 1, kNow - 10 * kDayMs, 2),
             make_batch("agt_old", 2, kNow - 2 * kDayMs, 2), make_batch("agt_old", 3, kNow, 2)});
  db.refresh();
  auto days = db.store->run([&](Session& s) { return s.samples().ensure_partitions(kNow, 3); });
  REQUIRE(days);
  const auto today = kNow / kDayMs;
  CHECK(std::find(days->begin(), days->end(), today - 10) != days->end());
  if (db.store->backend().backend() == Backend::kPostgres) {
    for (auto day = today - 1; day <= today + 3; ++day)
      CHECK(std::find(days->begin(), days->end(), day) != days->end());
  }

  RetentionPolicy policy;
  policy.samples_ms = 5 * kDayMs;
  policy.rollups_5m_ms = 5 * kDayMs;
  auto report =
      db.store->run([&](Session& s) { return s.samples().apply_retention(policy, kNow); });
  REQUIRE(report);
  CHECK(report->partitions_dropped + report->rows_deleted > 0);
  const auto ids = db.ids("agt_old");
  auto kept = db.raw(ids, 0, kNow + kDayMs);
  CHECK(kept.size() == 8);
  CHECK(std::all_of(kept.begin(), kept.end(),
                    [](const RawPoint& p) { return p.time >= kNow - 5 * kDayMs; }));
  CHECK(db.buckets(ids.front(), Resolution::k5m, 0, kNow - 5 * kDayMs, k5mMs).empty());
  CHECK(db.buckets(ids.front(), Resolution::k1h, 0, kNow - 5 * kDayMs, k1hMs).size() == 1);
  auto after = db.store->run([&](Session& s) { return s.samples().stored_days(); });
  REQUIRE(after);
  CHECK(std::find(after->begin(), after->end(), today - 10) == after->end());
}

TEMPLATE_TEST_CASE("samples: reads, rollups and retention see samples before and after they settle",
                   "[samples]", SqliteBackend, PostgresBackend) {
  // SQLite keeps new samples in samples_recent and moves them to samples_settled once there are
  // 131,072 of them (migrations/sqlite/0050_recent_samples.sql); PostgreSQL has one table. The
  // reads must not tell the difference. 140,000 samples ten days ago (settled), then a late batch
  // into their first hour and one of today (recent).
  Samples<TestType> db;
  const auto old = floor_to(kNow - 10 * kDayMs, k1hMs);
  std::uint64_t id = 1;
  for (int group = 0; group < 7; ++group) {
    std::vector<IngestBatch> batches;
    for (int b = 0; b < 10; ++b, ++id)
      batches.push_back(
          make_batch("agt_s", id, old + static_cast<std::int64_t>(id - 1) * 100'000, 1'000, 100));
    db.ingest(std::move(batches));
  }
  db.ingest({make_batch("agt_s", id++, old + 50, 100, 1'000)});
  db.ingest({make_batch("agt_s", id++, kNow - 10'000, 1)});
  if constexpr (std::is_same_v<TestType, SqliteBackend>) {
    CHECK(db.backend.scalar("SELECT count(*) FROM samples_settled") == 140'000);
    CHECK(db.backend.scalar("SELECT count(*) FROM samples_recent") == 202);
  }

  const auto ids = db.ids("agt_s");
  REQUIRE(ids.size() == 2);
  auto latest =
      db.store->run([&](Session& s) { return s.metric_queries().latest(ids, kNow - 3'600'000); });
  REQUIRE(latest);
  REQUIRE(latest->size() == 2);
  CHECK(latest->front().time == kNow - 10'000);

  // Read live while the samples are split between the tables, materialised once settled.
  auto check_reads = [&] {
    for (auto series : ids) {
      const auto points = db.raw({series}, old, old + 2 * k1hMs);
      CHECK(points.size() == 70'100);
      check_equal(db.buckets(series, Resolution::k5m, old, old + 2 * k1hMs, k5mMs),
                  aggregate(points, k5mMs));
      check_equal(db.buckets(series, Resolution::k1h, old, old + 2 * k1hMs, k1hMs),
                  aggregate(points, k1hMs));
    }
  };
  check_reads();
  // A settled and a recent sample are both found stored already.
  const std::vector<Sample> again = {{ids[0], old, 1}, {ids[0], old + 50, 1}};
  auto added = db.store->run([&](Session& s) {
    std::size_t out = 0;
    s.transaction([&] { out = s.samples().append_missing(again, {}); });
    return out;
  });
  REQUIRE(added);
  CHECK(*added == 0);

  db.refresh();
  check_reads();

  RetentionPolicy policy;
  policy.samples_ms = 5 * kDayMs;
  auto purged =
      db.store->run([&](Session& s) { return s.samples().apply_retention(policy, kNow); });
  REQUIRE(purged);
  CHECK(db.raw(ids, 0, kNow + kDayMs).size() == 2);  // today's
  auto days = db.store->run([&](Session& s) { return s.samples().stored_days(); });
  REQUIRE(days);
  CHECK(*days == std::vector<std::int64_t>{kNow / kDayMs});
}

TEMPLATE_TEST_CASE("samples: dead letters keep the payload", "[samples]", SqliteBackend,
                   PostgresBackend) {
  Samples<TestType> db;
  const std::string payload("\x00\xff\x10poison", 9);
  auto stored = db.store->run([&](Session& s) {
    s.samples().dead_letter(
        {"sentinel.metrics.agt_p", "agt_p:1", 10, "undecodable", payload, kNow});
    return s.samples().dead_letter_count();
  });
  REQUIRE(stored);
  CHECK(*stored == 1);
}

TEMPLATE_TEST_CASE("samples: append_missing stores each (series, time) once", "[samples]",
                   SqliteBackend, PostgresBackend) {
  Samples<TestType> s;
  s.ingest({make_batch("agt_a", 1, kHour, 3)});
  const auto ids = s.ids("agt_a");
  REQUIRE(ids.size() == 2);
  const std::vector<Sample> samples = {{ids[0], kHour, 99},           // stored already
                                       {ids[0], kHour + 5'000, 1},    // new
                                       {ids[0], kHour + 5'000, 2},    // a repeat of the new one
                                       {ids[1], kHour + 20'000, 3}};  // stored already
  const std::vector<std::pair<std::string, std::int64_t>> buckets = {{"agt_a", kHour}};
  auto append = [&] {
    auto added = s.store->run([&](Session& session) {
      std::size_t out = 0;
      session.transaction([&] {
        session.samples().prepare_days(std::vector<std::int64_t>{kHour / kDayMs});
        out = session.samples().append_missing(samples, buckets);
      });
      return out;
    });
    REQUIRE(added);
    return *added;
  };
  CHECK(append() == 1);
  CHECK(append() == 0);
  const auto points = s.raw(ids, kHour, kHour + k5mMs);
  CHECK(points.size() == 7);
  CHECK(points[0].value != 99);  // the stored sample was kept
  CHECK(s.refresh().queued >= 1);
}

TEMPLATE_TEST_CASE("samples: processed batch keys page in key order from a time on", "[samples]",
                   SqliteBackend, PostgresBackend) {
  Samples<TestType> s;
  s.ingest({make_batch("agt_b", 2, kHour, 1), make_batch("agt_a", 9, kHour, 1),
            make_batch("agt_a", 3, kHour, 1)});
  s.ingest({make_batch("agt_c", 1, kHour, 1)}, kNow + 60'000);
  auto page = [&](std::int64_t since, std::optional<BatchKey> after, std::size_t limit) {
    auto keys = s.store->run(
        [&](Session& session) { return session.samples().processed_batches(since, after, limit); },
        Access::kRead);
    REQUIRE(keys);
    return *keys;
  };
  CHECK(page(0, std::nullopt, 2) == std::vector<BatchKey>{{"agt_a", 3}, {"agt_a", 9}});
  CHECK(page(0, BatchKey{"agt_a", 9}, 10) == std::vector<BatchKey>{{"agt_b", 2}, {"agt_c", 1}});
  CHECK(page(kNow + 1, std::nullopt, 10) == std::vector<BatchKey>{{"agt_c", 1}});
}
