// `sentineld export` / `sentineld import`: a store's data moved through an archive, from either
// backend into either, compared through what the repositories and the query reads return.

#include <cmath>
#include <limits>
#include <sstream>

#include <catch2/catch.hpp>

#include "archive.hpp"
#include "transfer_fixture.hpp"

using namespace sentinel;
using namespace sentinel::store;
using namespace sentinel::store::test;

namespace {

constexpr std::int64_t kNow = kTransferNow;
constexpr std::int64_t kTwoDays = 2 * kDayMs;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

std::string join(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines)
    text += line + "\n";
  return text;
}

}  // namespace

TEST_CASE("transfer: SQLite into PostgreSQL and back, the repositories return the same") {
  SqliteBackend laptop;
  auto source = laptop.open();
  seed(*source);
  const auto expected = snapshot(*source);
  REQUIRE(expected.keys.size() == 3);  // the expired key is not valid, so not compared
  REQUIRE(sample_count(expected) == 60);

  PostgresBackend production;
  auto postgres = production.open();
  const auto report = import_text(*postgres, export_text(*source));
  CHECK(report.samples_added == 60);
  CHECK(report.rows.at("agent_key") == 3);
  CHECK(snapshot(*postgres) == expected);

  SqliteBackend back;
  auto sqlite = back.open();
  import_text(*sqlite, export_text(*postgres));
  CHECK(snapshot(*sqlite) == expected);
}

TEMPLATE_TEST_CASE("transfer: importing twice, or an overlapping archive, stores nothing twice",
                   "[transfer]", SqliteBackend, PostgresBackend) {
  SqliteBackend laptop;
  auto source = laptop.open();
  const auto agents = seed(*source);
  const auto first = export_text(*source);

  TestType destination;
  auto store = destination.open();
  CHECK(import_text(*store, first).samples_added == 60);
  CHECK(import_text(*store, first).samples_added == 0);
  CHECK(snapshot(*store) == snapshot(*source));

  // The laptop went on while the first archive was imported; a second export catches up.
  ingest(*source, {transfer_batch(agents[0].id, 3, kNow - 60'000)});
  must(*source, [&](Session& s) { return s.agents().record_heartbeat(agents[0].id, {}, kNow); });
  CHECK(import_text(*store, export_text(*source)).samples_added == 20);
  CHECK(snapshot(*store) == snapshot(*source));
}

TEMPLATE_TEST_CASE("transfer: an interrupted import completes when it runs again", "[transfer]",
                   SqliteBackend, PostgresBackend) {
  SqliteBackend laptop;
  auto source = laptop.open();
  seed(*source);
  const auto full = export_text(*source);
  auto lines = lines_of(full);
  lines.resize(lines.size() - 3);  // cut off in the samples, without the end line

  TestType destination;
  auto store = destination.open();
  // Small transactions: the ones before the cut are committed.
  std::istringstream in(join(lines));
  archive::Reader reader(in);
  const auto failed = store->run([&](Session& s) { return import_archive(s, reader, kNow, 5); });
  REQUIRE_FALSE(failed);
  CHECK_THAT(failed.error().message, Catch::Contains("truncated"));
  CHECK(snapshot(*store).agents.size() == 2);

  import_text(*store, full, 5);
  CHECK(snapshot(*store) == snapshot(*source));
}

TEST_CASE("transfer: --since leaves older samples out and moves everything else") {
  SqliteBackend laptop;
  auto source = laptop.open();
  seed(*source);
  auto expected = snapshot(*source);

  SqliteBackend destination;
  auto store = destination.open();
  import_text(*store, export_text(*source, kNow - kTwoDays));
  auto got = snapshot(*store);
  CHECK(sample_count(got) == 40);
  for (const auto& [name, points] : got.samples) {
    for (const auto& [time, value] : points)
      CHECK(time >= kNow - kTwoDays);
  }
  // Apart from samples (and the rollups of the ones left out), the same.
  for (auto* side : {&expected, &got}) {
    side->samples.clear();
    side->rollups.clear();
  }
  CHECK(got == expected);
}

TEST_CASE("archive: a damaged line is refused with its number") {
  SqliteBackend laptop;
  auto source = laptop.open();
  seed(*source);
  const auto lines = lines_of(export_text(*source));

  auto read_all = [](const std::vector<std::string>& archive) {
    std::istringstream in(join(archive));
    archive::Reader reader(in);
    while (reader.next()) {
    }
  };
  REQUIRE_NOTHROW(read_all(lines));

  auto garbled = lines;
  garbled[4] = garbled[4].substr(0, garbled[4].size() / 2);
  CHECK_THROWS_WITH(read_all(garbled), Catch::StartsWith("line 5: not a JSON object"));

  auto mistyped = lines;
  mistyped[1] = R"({"type":"silence","id":5})";
  CHECK_THROWS_WITH(read_all(mistyped), "line 2: field \"id\" must be a string");

  auto orphan = lines;
  orphan.insert(orphan.begin() + 1, R"({"type":"samples","series":99,"points":[[1,2]]})");
  CHECK_THROWS_WITH(read_all(orphan), Catch::Contains("line 2: samples of series 99"));

  auto miscounted = lines;
  miscounted.erase(miscounted.begin() + 1);
  CHECK_THROWS_WITH(read_all(miscounted), Catch::StartsWith(fmt::format(
                                              "line {}: the end line's counts", lines.size() - 1)));
}

TEST_CASE("archive: another format or a newer version is refused at its first line") {
  std::istringstream newer(
      R"({"format":"sentineld-archive","version":2,"sentineld":"9.0.0","backend":"sqlite",)"
      R"("exported_at":1,"since":null})"
      "\n");
  CHECK_THROWS_WITH(
      archive::Reader(newer),
      Catch::StartsWith("line 1: archive version 2 is not one this sentineld reads") &&
          Catch::Contains("9.0.0"));
  std::istringstream foreign(R"({"hello":"world"})");
  CHECK_THROWS_WITH(archive::Reader(foreign), Catch::StartsWith("line 1: not a sentineld-archive"));
}

TEST_CASE("archive: values JSON cannot hold travel intact") {
  std::ostringstream out;
  archive::Writer writer(out, {archive::kVersion, "test", "sqlite", kNow, std::nullopt});
  writer.write(SeriesInfo{3, "agt_1", "m", {}});
  writer.write(archive::SeriesSamples{3,
                                      {{1, std::numeric_limits<double>::infinity()},
                                       {2, -std::numeric_limits<double>::infinity()},
                                       {3, 0.1 + 0.2},
                                       {4, std::numeric_limits<double>::quiet_NaN()}}});
  writer.finish();
  std::istringstream in(out.str());
  archive::Reader reader(in);
  CHECK(reader.header().backend == "sqlite");
  REQUIRE(std::holds_alternative<SeriesInfo>(*reader.next()));
  const auto samples = std::get<archive::SeriesSamples>(*reader.next());
  CHECK(samples.points[0].value == std::numeric_limits<double>::infinity());
  CHECK(samples.points[1].value == -std::numeric_limits<double>::infinity());
  CHECK(samples.points[2].value == 0.1 + 0.2);
  CHECK(std::isnan(samples.points[3].value));
  CHECK_FALSE(reader.next());
  CHECK(reader.counts().at("samples") == 4);
}
