#include <catch2/catch.hpp>

#include "backends.hpp"
#include "support/process.hpp"

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
  const auto latest = format_version(shipped_migrations(backend.options().backend).back().version);
  CHECK_THAT(again.output, Catch::Contains("schema is up to date at " + latest));
}

TEST_CASE("sentineld migrate: an unreachable database exits 1 and says why, password masked") {
  sentinel::test::TempDir dir;
  auto failed = sentineld(
      {"migrate"}, "postgresql://sentinel:hunter2@127.0.0.1:1/sentinel?connect_timeout=2", dir);
  CHECK(failed.status == 1);
  CHECK_THAT(failed.output, Catch::Contains("database unreachable"));
  CHECK(failed.output.find("hunter2") == std::string::npos);
}
