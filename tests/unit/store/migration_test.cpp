#include "migrations/migration.hpp"

#include <catch2/catch.hpp>

#include "sentinel/core/crypto.hpp"

using namespace sentinel::store;

namespace {

std::vector<AppliedMigration> applied_from(const std::vector<Migration>& migrations,
                                           std::size_t count) {
  std::vector<AppliedMigration> applied;
  for (std::size_t i = 0; i < count; ++i)
    applied.push_back({migrations[i].version, migrations[i].name, migrations[i].checksum});
  return applied;
}

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const MigrationError& e) {
    return e.what();
  }
  return "(no error)";
}

const std::vector<MigrationSource> kSources = {
    {"0002_series.sql", "CREATE TABLE series (id INTEGER)"},
    {"0001_agents.sql", "CREATE TABLE agents (id INTEGER)"},
    {"0010_rollups_5m.sql", "CREATE TABLE rollups (id INTEGER)"},
};

}  // namespace

TEST_CASE("migration files are ordered by version, named, and checksummed over their text") {
  const auto migrations = load_migrations(kSources);
  REQUIRE(migrations.size() == 3);
  CHECK(migrations[0].version == 1);
  CHECK(migrations[0].name == "agents");
  CHECK(migrations[0].file == "0001_agents.sql");
  CHECK(migrations[2].version == 10);
  CHECK(migrations[2].name == "rollups_5m");
  CHECK(migrations[0].checksum == sentinel::core::to_hex(sentinel::core::sha256(kSources[1].sql)));
  CHECK(migrations[0].checksum.size() == 64);
  CHECK(migrations[0].checksum != migrations[1].checksum);
}

TEST_CASE("misnamed migration files and versions used twice are errors naming the files") {
  for (std::string_view file : {"001_short.sql", "0001_Upper.sql", "0001_x.txt", "0001-x.sql",
                                "abcd_x.sql", "0000_zero.sql", "0001_.sql", "-001_neg.sql"}) {
    const std::vector<MigrationSource> sources = {{file, "SELECT 1"}};
    CHECK_THAT(message_of([&] { load_migrations(sources); }), Catch::Contains(std::string(file)));
  }
  const std::vector<MigrationSource> twice = {{"0001_a.sql", ""}, {"0001_b.sql", ""}};
  CHECK_THAT(message_of([&] { load_migrations(twice); }),
             Catch::Contains("0001_a.sql") && Catch::Contains("0001_b.sql"));
}

TEST_CASE("the plan holds what is not applied yet") {
  const auto migrations = load_migrations(kSources);
  const auto empty = plan_migrations(migrations, {});
  CHECK(empty.current == 0);
  CHECK(empty.latest == 10);
  CHECK(empty.pending.size() == 3);

  const auto partial = plan_migrations(migrations, applied_from(migrations, 2));
  CHECK(partial.current == 2);
  REQUIRE(partial.pending.size() == 1);
  CHECK(partial.pending[0]->file == "0010_rollups_5m.sql");

  CHECK(plan_migrations(migrations, applied_from(migrations, 3)).pending.empty());
}

TEST_CASE("an applied migration whose text changed is an error naming its file") {
  const auto migrations = load_migrations(kSources);
  auto applied = applied_from(migrations, 2);
  applied[1].checksum = sentinel::core::to_hex(sentinel::core::sha256("CREATE TABLE series ()"));
  CHECK_THAT(message_of([&] { plan_migrations(migrations, applied); }),
             Catch::Contains("0002_series.sql was changed after it was applied"));
}

TEST_CASE("a database with a migration this binary does not know is refused as newer") {
  const auto migrations = load_migrations(kSources);
  auto applied = applied_from(migrations, 3);
  applied.push_back({11, "future", "00"});
  CHECK_THAT(message_of([&] { plan_migrations(migrations, applied); }),
             Catch::Contains("0011_future") && Catch::Contains("newer sentineld"));
}

TEST_CASE("a known migration below the applied ones was skipped, and is an error") {
  const auto migrations = load_migrations(kSources);
  std::vector<AppliedMigration> applied = {applied_from(migrations, 1)[0],
                                           {10, "rollups_5m", migrations[2].checksum}};
  CHECK_THAT(message_of([&] { plan_migrations(migrations, applied); }),
             Catch::Contains("0002_series.sql was never applied"));
}

TEST_CASE("the embedded sets load, and both backends have the same versions and names") {
  const auto postgres = load_migrations(embedded_migrations(Backend::kPostgres));
  const auto sqlite = load_migrations(embedded_migrations(Backend::kSqlite));
  REQUIRE_FALSE(postgres.empty());
  REQUIRE(postgres.size() == sqlite.size());
  for (std::size_t i = 0; i < postgres.size(); ++i) {
    CHECK(postgres[i].file == sqlite[i].file);
    CHECK_FALSE(postgres[i].sql.empty());
  }
  CHECK(postgres.front().file == "0001_agents.sql");
}
