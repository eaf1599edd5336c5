#include <fstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "support/process.hpp"
#include "transfer_fixture.hpp"

using namespace sentinel;
using namespace sentinel::store;
using namespace sentinel::store::test;

namespace {

struct Outcome {
  std::optional<int> status;
  std::string output;
};

Outcome sentineld(std::vector<std::string> args, const std::string& url,
                  const sentinel::test::TempDir& dir) {
  args.insert(args.begin(), sentinel::test::sentineld_binary().string());
  const auto output = dir / "sentineld.out";
  std::filesystem::remove(output);
  sentinel::test::ChildProcess process(
      {args, {{"SENTINEL_STORE_URL", url}, {"SENTINEL_DATA_DIR", dir.path().string()}}, output});
  const auto status = process.wait(std::chrono::seconds(60));
  return {status, process.output()};
}

std::string url_of(const StoreOptions& options) {
  return options.backend == Backend::kPostgres ? options.postgres_url
                                               : "sqlite://" + options.sqlite_file.string();
}

}  // namespace

TEMPLATE_TEST_CASE("sentineld migrate: --dry-run tells, then it applies, then it has nothing to do",
                   "[cli]", SqliteBackend, PostgresBackend) {
  TestType backend;
  sentinel::test::TempDir dir;
  const auto url = url_of(backend.options());

  auto dry = sentineld({"migrate", "--dry-run"}, url, dir);
  CHECK(dry.status == 0);
  CHECK_THAT(dry.output, Catch::Contains("would apply 0001_agents.sql") &&
                             Catch::Contains("schema is at 0000"));
  auto still_empty = backend.open(false)->applied_versions();
  CHECK(still_empty.empty());

  auto applied = sentineld({"migrate"}, url, dir);
  CHECK(applied.status == 0);
  CHECK_THAT(applied.output, Catch::Contains("applied 0001_agents.sql"));
  CHECK(backend.open(false)->applied_versions().front() == 1);

  auto again = sentineld({"migrate"}, url, dir);
  CHECK(again.status == 0);
  // At the newest migration this binary ships, whichever that is.
  const auto latest = shipped_migrations(backend.options().backend).back().version;
  CHECK_THAT(again.output, Catch::Contains("schema is up to date at " + format_version(latest)));
}

TEST_CASE("sentineld migrate: an unreachable database exits 1 and says why, password masked") {
  sentinel::test::TempDir dir;
  auto failed = sentineld(
      {"migrate"}, "postgresql://sentinel:hunter2@127.0.0.1:1/sentinel?connect_timeout=2", dir);
  CHECK(failed.status == 1);
  CHECK_THAT(failed.output, Catch::Contains("database unreachable"));
  CHECK(failed.output.find("hunter2") == std::string::npos);
}

TEST_CASE("sentineld export then sentineld import move a SQLite store into PostgreSQL") {
  SqliteBackend laptop;
  auto source = laptop.open();
  const auto agents = seed(*source);
  sentinel::test::TempDir dir;
  const auto archive = (dir / "backup.ndjson").string();

  auto exported =
      sentineld({"export", "--since", "3650d", "--output", archive}, url_of(laptop.options()), dir);
  REQUIRE(exported.status == 0);
  CHECK_FALSE(std::filesystem::exists(archive + ".partial"));
  std::ifstream file(archive);
  std::string header;
  std::getline(file, header);
  CHECK_THAT(header, Catch::StartsWith(R"({"format":"sentineld-archive","version":1,)") &&
                         Catch::Contains(R"("backend":"sqlite")"));

  // Into a database with no schema yet: import migrates it first.
  PostgresBackend production;
  const auto postgres_url = url_of(production.options());
  auto imported = sentineld({"import", archive}, postgres_url, dir);
  CHECK(imported.status == 0);
  CHECK_THAT(imported.output,
             Catch::Contains("applied 0001_agents.sql") && Catch::Contains("samples added: 60"));
  auto again = sentineld({"import", archive}, postgres_url, dir);
  CHECK(again.status == 0);
  CHECK_THAT(again.output, Catch::Contains("samples added: 0"));

  // Keys are exported as valid at the time of the export, which is not the fixture's clock.
  auto postgres = production.open();
  auto expected = snapshot(*source);
  auto got = snapshot(*postgres);
  for (auto* side : {&expected, &got})
    side->keys.clear();
  CHECK(got == expected);
  const auto keys = must(*postgres, [&](Session& s) {
    return s.credentials().valid_keys(agents[0].id, kTransferNow);
  });
  CHECK_FALSE(keys.empty());
}

TEST_CASE("sentineld import refuses a damaged or newer archive and writes nothing") {
  SqliteBackend laptop;
  auto source = laptop.open();
  seed(*source);
  const auto text = export_text(*source);
  sentinel::test::TempDir dir;
  SqliteBackend destination;
  const auto url = url_of(destination.options());

  const auto damaged = (dir / "damaged.ndjson").string();
  auto fifth = text;
  std::size_t at = 0;
  for (int line = 0; line < 4; ++line)
    at = fifth.find('\n', at) + 1;
  fifth.insert(at, "}}");
  std::ofstream(damaged) << fifth;
  auto refused = sentineld({"import", damaged}, url, dir);
  CHECK(refused.status == 1);
  CHECK_THAT(refused.output, Catch::Contains("line 5: not a JSON object") &&
                                 Catch::Contains("nothing was imported"));

  const auto newer = (dir / "newer.ndjson").string();
  std::ofstream(newer) << R"({"format":"sentineld-archive","version":2,"sentineld":"9.0.0",)"
                       << R"("backend":"sqlite","exported_at":1,"since":null})"
                       << "\n";
  auto too_new = sentineld({"import", newer}, url, dir);
  CHECK(too_new.status == 1);
  CHECK_THAT(too_new.output, Catch::Contains("line 1: archive version 2"));
  // Refused before the destination was even opened.
  CHECK_FALSE(std::filesystem::exists(destination.options().sqlite_file));

  CHECK(sentineld({"import", (dir / "missing.ndjson").string()}, url, dir).status == 2);
  CHECK(sentineld({"export", "--since", "last tuesday"}, url, dir).status == 2);
}
