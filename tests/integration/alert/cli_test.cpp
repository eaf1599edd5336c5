// `sentineld rules ...` and `sentineld dlq ...`, run as the real binary.

#include <catch2/catch.hpp>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel::test;

namespace {

struct Outcome {
  std::optional<int> status;
  std::string output;
};

Outcome sentineld(std::vector<std::string> args, const TempDir& dir) {
  args.insert(args.begin(), sentineld_binary().string());
  const auto output = dir / "sentineld.out";
  std::filesystem::remove(output);
  ChildProcess process({args,
                        {{"SENTINEL_STORE_URL", "sqlite://" + (dir / "db.sqlite").string()},
                         {"SENTINEL_DATA_DIR", dir.path().string()}},
                        output});
  const auto status = process.wait(std::chrono::seconds(60));
  return {status, process.output()};
}

}  // namespace

TEST_CASE("sentineld rules check: the example passes, a broken file names the field") {
  TempDir dir;
  auto good = sentineld({"rules", "check", SENTINEL_SOURCE_DIR "/config/rules.example.yml"}, dir);
  CHECK(good.status == 0);
  CHECK_THAT(good.output, Catch::Contains("rules OK"));
  const auto bad_file = dir.write("bad.yml", "rules:\n  - name: x\n    metric: m\n    op: '=>'\n");
  auto bad = sentineld({"rules", "check", bad_file.string()}, dir);
  CHECK(bad.status == 1);
  CHECK_THAT(bad.output, Catch::Contains("bad.yml:2: rules[0].op: expected one of"));
}

TEST_CASE("sentineld dlq and rules list: on an empty store") {
  TempDir dir;
  REQUIRE(sentineld({"migrate"}, dir).status == 0);
  auto dead = sentineld({"dlq", "list"}, dir);
  CHECK(dead.status == 0);
  CHECK_THAT(dead.output, Catch::Contains("LAST ERROR"));
  auto missing = sentineld({"dlq", "replay", "42"}, dir);
  CHECK(missing.status == 1);
  CHECK_THAT(missing.output, Catch::Contains("no dead letter 42"));
  auto rules = sentineld({"rules", "list"}, dir);
  CHECK(rules.status == 0);
  CHECK_THAT(rules.output, Catch::Contains("SOURCE"));
}
