#include <latch>
#include <thread>
#include <type_traits>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "sentinel/store/ingest.hpp"

#include "backends.hpp"

using namespace sentinel;
using namespace sentinel::store;
using namespace sentinel::store::test;

namespace {

// Test-only migrations, in SQL that both backends understand.
std::vector<Migration> numbered_tables(int count) {
  std::vector<std::string> files;
  std::vector<std::string> texts;
  for (int i = 1; i <= count; ++i) {
    files.push_back(fmt::format("{:04}_table_{}.sql", i, i));
    texts.push_back(fmt::format("CREATE TABLE probe_{} (id INTEGER PRIMARY KEY, note TEXT)", i));
  }
  std::vector<MigrationSource> sources;
  for (std::size_t i = 0; i < files.size(); ++i)
    sources.push_back({files[i], texts[i]});
  return load_migrations(sources);
}

// The shipped migrations of `backend` older than `version`.
std::vector<Migration> shipped_before(Backend backend, int version) {
  std::vector<Migration> older;
  for (const auto& migration : shipped_migrations(backend))
    if (migration.version < version) older.push_back(migration);
  return older;
}

template <class TestBackend>
constexpr Backend kKindOf =
    std::is_same_v<TestBackend, SqliteBackend> ? Backend::kSqlite : Backend::kPostgres;

// A store of `backend` with the shipped migrations before `version` applied.
template <class TestBackend>
std::unique_ptr<OpenStore> migrated_before(const TestBackend& backend, int version) {
  auto store = backend.open(false);
  store->migrate(shipped_before(kKindOf<TestBackend>, version));
  return store;
}

// Seeds a row below the store's API; PostgreSQL's admin connection is outside the test's schema.
void seed(const SqliteBackend& backend, std::string_view table, std::string_view values) {
  backend.admin(fmt::format("INSERT INTO {} VALUES {}", table, values));
}
void seed(const PostgresBackend& backend, std::string_view table, std::string_view values) {
  backend.admin(fmt::format("INSERT INTO {}.{} VALUES {}", backend.schema(), table, values));
}

template <class F>
std::string failure_of(F action) {
  try {
    action();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEMPLATE_TEST_CASE("migrations: an empty database is brought to the latest version", "[migrations]",
                   SqliteBackend, PostgresBackend) {
  TestType backend;
  auto store = backend.open(false);
  const auto shipped = shipped_migrations(store->backend().backend());

  const auto dry = store->migrate(shipped, MigrateMode::kDryRun);
  CHECK(dry.from == 0);
  CHECK(dry.to == 0);
  CHECK(dry.files.size() == shipped.size());
  CHECK(store->applied_versions().empty());

  const auto report = store->migrate(shipped);
  CHECK(report.from == 0);
  CHECK(report.to == shipped.back().version);
  CHECK(report.files.front() == "0001_agents.sql");
  CHECK(store->applied_versions().size() == shipped.size());
  auto listed = store->run([](Session& s) { return s.agents().list({}, {}); });
  CHECK(listed.ok());
}

TEMPLATE_TEST_CASE("migrations: running them again does nothing", "[migrations]", SqliteBackend,
                   PostgresBackend) {
  TestType backend;
  auto store = backend.open(false);
  const auto migrations = numbered_tables(3);
  store->migrate(migrations);
  const auto again = store->migrate(migrations);
  CHECK(again.files.empty());
  CHECK(again.from == 3);
  CHECK(again.to == 3);
  CHECK(store->applied_versions() == std::vector<std::int64_t>{1, 2, 3});

  const auto more = store->migrate(numbered_tables(5));
  CHECK(more.files == std::vector<std::string>{"0004_table_4.sql", "0005_table_5.sql"});
  CHECK(more.from == 3);
  CHECK(more.to == 5);
}

TEMPLATE_TEST_CASE("migrations: concurrent migrators apply each migration once", "[migrations]",
                   SqliteBackend, PostgresBackend) {
  TestType backend;
  auto first = backend.open(false);
  auto second = backend.open(false);
  const auto migrations = numbered_tables(20);
  std::latch go(2);
  std::vector<std::string> errors(2);
  std::vector<MigrationReport> reports(2);
  auto migrate = [&](OpenStore& store, std::size_t index) {
    go.arrive_and_wait();
    try {
      reports[index] = store.migrate(migrations);
    } catch (const std::runtime_error& e) {
      errors[index] = e.what();
    }
  };
  std::thread a(migrate, std::ref(*first), 0);
  std::thread b(migrate, std::ref(*second), 1);
  a.join();
  b.join();
  CHECK(errors == std::vector<std::string>{"", ""});
  CHECK(reports[0].files.size() + reports[1].files.size() == 20);
  CHECK(reports[0].to == 20);
  CHECK(reports[1].to == 20);
  CHECK(first->applied_versions().size() == 20);
}

TEMPLATE_TEST_CASE("migrations: a changed applied file is an error naming it", "[migrations]",
                   SqliteBackend, PostgresBackend) {
  TestType backend;
  auto store = backend.open(false);
  store->migrate(numbered_tables(2));
  const std::vector<MigrationSource> edited = {
      {"0001_table_1.sql", "CREATE TABLE probe_1 (id INTEGER PRIMARY KEY, note TEXT, more TEXT)"},
      {"0002_table_2.sql", "CREATE TABLE probe_2 (id INTEGER PRIMARY KEY, note TEXT)"}};
  const auto migrations = load_migrations(edited);
  for (auto mode : {MigrateMode::kApply, MigrateMode::kDryRun}) {
    CHECK_THAT(failure_of([&] { store->migrate(migrations, mode); }),
               Catch::Contains("0001_table_1.sql was changed after it was applied"));
  }
}

TEMPLATE_TEST_CASE("migrations: a database newer than the binary is refused", "[migrations]",
                   SqliteBackend, PostgresBackend) {
  TestType backend;
  auto store = backend.open(false);
  store->migrate(numbered_tables(3));
  CHECK_THAT(failure_of([&] { store->migrate(numbered_tables(2)); }),
             Catch::Contains("0003_table_3") && Catch::Contains("newer sentineld"));
}

TEMPLATE_TEST_CASE("migrations: a failing script names its file and leaves no trace",
                   "[migrations]", SqliteBackend, PostgresBackend) {
  TestType backend;
  auto store = backend.open(false);
  const std::vector<MigrationSource> sources = {
      {"0001_table_1.sql", "CREATE TABLE probe_1 (id INTEGER PRIMARY KEY, note TEXT)"},
      {"0002_broken.sql", "CREATE TABLE half (id INTEGER); CREATE TABLE oops ("}};
  const auto migrations = load_migrations(sources);
  try {
    store->migrate(migrations);
    FAIL("a broken migration was applied");
  } catch (const StoreError& e) {
    CHECK_THAT(e.what(), Catch::Contains("migration 0002_broken.sql failed"));
  }
  CHECK(store->applied_versions() == std::vector<std::int64_t>{1});
  // The first statement of the broken file was rolled back with the rest: it can run again.
  const std::vector<MigrationSource> fixed = {
      sources[0], {"0002_broken.sql", "CREATE TABLE half (id INTEGER)"}};
  CHECK(store->migrate(load_migrations(fixed)).files ==
        std::vector<std::string>{"0002_broken.sql"});
}

TEST_CASE("migrations: SQLite's samples keep their rows through 0040 (NaN) and 0050 (recent)") {
  SqliteBackend backend;
  auto store = backend.open(false);
  const auto shipped = shipped_migrations(Backend::kSqlite);
  store->migrate(shipped_before(Backend::kSqlite, 40));
  backend.admin("INSERT INTO samples (series_id, ts, value) VALUES (7, 1000, 0.5), (7, 2000, -3)");

  store->migrate(shipped);
  auto stored = store->run(
      [](Session& s) {
        return s.metric_queries().raw(std::vector<std::int64_t>{7}, 0, 10'000, std::nullopt, 10);
      },
      Access::kRead);
  REQUIRE(stored);
  REQUIRE(stored->size() == 2);
  CHECK((*stored)[0].value == 0.5);
  CHECK((*stored)[1].value == -3.0);
  CHECK(backend.scalar("SELECT count(*) FROM samples_settled") == 2);  // behind the view
}

TEMPLATE_TEST_CASE("migrations: the replay ledger keeps its nonces through 0070 (time order)",
                   "[migrations]", SqliteBackend, PostgresBackend) {
  TestType backend;
  auto store = migrated_before(backend, 70);
  seed(backend, "seen_nonces (agent_id, nonce, expires_at)", "('agt', 'seen', 9000)");

  store->migrate(shipped_migrations(kKindOf<TestType>));
  const std::vector<NonceUse> uses{{"agt", "seen", 9000}, {"agt", "new", 9000}};
  auto fresh = store->run([&](Session& s) { return s.credentials().remember_nonces(uses, 1000); });
  REQUIRE(fresh);
  CHECK(*fresh == std::vector<bool>{false, true});
}

TEMPLATE_TEST_CASE("migrations: queued rollup buckets stay queued through 0080 (closed buckets)",
                   "[migrations]", SqliteBackend, PostgresBackend) {
  // Two ingest transactions into one bucket queue it twice before 0080; SQLite keeps one entry
  // per (agent, bucket) from 0080 on. Either way the bucket is read from the samples until the
  // refresh materialises it, and then from its rollup, with the same result.
  TestType backend;
  auto store = migrated_before(backend, 80);
  constexpr std::int64_t kBucket = 1'795'449'900'000;  // a 5-minute boundary
  IngestCache cache;
  for (std::uint64_t id : {1, 2}) {
    const std::vector<IngestBatch> batch{
        {{"agt", id}, {{"load", {}, kBucket + static_cast<std::int64_t>(id) * 1'000, 2.0 * id}}}};
    REQUIRE(store->run([&](Session& s) { return ingest_batches(s, cache, batch, kBucket); }));
  }
  store->migrate(shipped_migrations(kKindOf<TestType>));

  auto series = store->run([&](Session& s) { return s.metric_queries().series("agt", "load"); });
  REQUIRE(series);
  REQUIRE(series->size() == 1);
  const auto read = [&] {
    auto got = store->run([&](Session& s) {
      return s.metric_queries().buckets(series->front().id, Resolution::k5m, kBucket,
                                        kBucket + k5mMs, k5mMs);
    });
    REQUIRE(got);
    REQUIRE(got->size() == 1);
    CHECK(got->front().count == 2);
    CHECK(got->front().avg == 3.0);
  };
  read();
  auto refreshed = store->run([&](Session& s) {
    RollupReport report;
    s.transaction([&] { report = s.samples().refresh_rollups(100, kBucket + k5mMs); });
    return report;
  });
  REQUIRE(refreshed);
  CHECK(refreshed->queued == 1);  // one bucket, however often it was queued
  CHECK(refreshed->buckets == 1);
  CHECK(backend.scalar("SELECT count(*) FROM rollup_queue") == 0);
  read();
}
