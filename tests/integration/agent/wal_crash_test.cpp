#include <csignal>
#include <random>
#include <sstream>

#include <catch2/catch.hpp>

#include "sentinel/agent/wal_tool.hpp"

#include "agent/wal/wal.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "wal_records.hpp"

using namespace sentinel;

namespace {

struct Printed {
  std::vector<std::uint64_t> appended;
  std::uint64_t last_ack = 0;
};

Printed read_output(const std::string& text) {
  Printed printed;
  std::istringstream in(text);
  std::string word;
  std::uint64_t id = 0;
  // A kill can cut the last line short; only complete lines count.
  for (std::string line; std::getline(in, line) && !in.eof();) {
    std::istringstream fields(line);
    if (!(fields >> word >> id)) continue;
    if (word == "append") printed.appended.push_back(id);
    if (word == "ack") printed.last_ack = id;
  }
  return printed;
}

}  // namespace

TEST_CASE("kill -9 during appends never loses an acknowledged append or returns a bad record") {
  test::TempDir dir;
  const auto wal_dir = dir / "wal";
  std::mt19937 random(20240601);
  std::uint64_t previous_last = 0;
  for (int round = 0; round < 50; ++round) {
    INFO("round " << round);
    const auto output = dir / fmt::format("round{}.log", round);
    Printed printed;
    {
      test::ChildProcess writer({{SENTINEL_WAL_WRITER, wal_dir.string()}, {}, output});
      const std::size_t wanted = std::uniform_int_distribution<std::size_t>(1, 300)(random);
      REQUIRE(test::eventually(
          [&] { return read_output(test::read_file(output)).appended.size() >= wanted; }));
      writer.signal(SIGKILL);
      REQUIRE(writer.wait(std::chrono::seconds(10)) == 128 + SIGKILL);
      printed = read_output(test::read_file(output));
    }
    std::ostringstream report;
    CHECK(agent::wal_verify(wal_dir, report) == 0);
    auto opened = agent::wal::Wal::open(
        {.dir = wal_dir, .segment_size = 64 << 10},
        core::Logger(
            std::make_shared<core::LogSink>(core::LogLevel::kError, core::LogFormat::kText),
            "check"));
    REQUIRE(opened.ok());
    auto& wal = **opened;
    CHECK(wal.acked_id() >= printed.last_ack);
    CHECK(wal.counters().corrupt_records == 0);
    std::vector<std::uint64_t> present;
    std::uint64_t last = wal.acked_id();
    for (const auto& record : wal.read_after(wal.acked_id(), 1'000'000, 1ULL << 32)) {
      CHECK(record.id > last);
      CHECK(record.payload == test::crash_payload(record.id));
      last = record.id;
      present.push_back(record.id);
    }
    for (auto id : printed.appended) {
      if (id > wal.acked_id()) CHECK(std::binary_search(present.begin(), present.end(), id));
    }
    REQUIRE_FALSE(printed.appended.empty());
    CHECK(printed.appended.front() > previous_last);  // ids continue across crashes
    previous_last = std::max(previous_last, printed.appended.back());
  }
}
