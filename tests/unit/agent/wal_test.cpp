#include "agent/wal/wal.hpp"

#include <csignal>
#include <fstream>
#include <sstream>
#include <sys/resource.h>

#include <catch2/catch.hpp>

#include "sentinel/agent/wal_tool.hpp"

#include "support/capture_logger.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using agent::wal::Wal;
using agent::wal::WalOptions;

namespace {

struct WalFixture {
  test::TempDir temp;
  std::filesystem::path dir = temp / "wal";
  std::vector<std::string> log_lines;

  std::unique_ptr<Wal> open(WalOptions options = {}) {
    options.dir = dir;
    auto wal = Wal::open(options, test::capture_logger(&log_lines));
    REQUIRE(wal.ok());
    return std::move(wal).value();
  }

  std::vector<std::filesystem::path> segments() const {
    std::vector<std::filesystem::path> files;
    for (const auto& file : agent::wal::list_segment_files(dir))
      files.push_back(file.path);
    return files;
  }
};

std::string payload(std::uint64_t n) {
  return fmt::format("batch-{}-{}", n, std::string(n % 7, 'x'));
}

void append_n(Wal& wal, std::uint64_t count, std::int64_t time_ms = 1000) {
  for (std::uint64_t i = 0; i < count; ++i) {
    auto id = wal.append(payload(wal.next_id()), time_ms, wal.next_id() * 10);
    REQUIRE(id.ok());
  }
}

std::vector<std::uint64_t> ids_after(Wal& wal, std::uint64_t after) {
  std::vector<std::uint64_t> ids;
  for (const auto& record : wal.read_after(after, 1'000'000, 1ULL << 30)) {
    CHECK(record.payload == payload(record.id));
    CHECK(record.tag == record.id * 10);
    ids.push_back(record.id);
  }
  return ids;
}

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> ids;
  for (auto id = first; id <= last; ++id)
    ids.push_back(id);
  return ids;
}

void flip_byte(const std::filesystem::path& file, std::uint64_t offset) {
  std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
  stream.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  stream.read(&c, 1);
  c = static_cast<char>(c ^ 0x10);
  stream.seekp(static_cast<std::streamoff>(offset));
  stream.write(&c, 1);
}

int verify(const std::filesystem::path& dir, std::string* text = nullptr) {
  std::ostringstream out;
  const int code = agent::wal_verify(dir, out);
  if (text) *text = out.str();
  return code;
}

}  // namespace

TEST_CASE_METHOD(WalFixture, "records come back in order, across a reopen") {
  {
    auto wal = open();
    CHECK(wal->next_id() == 1);
    append_n(*wal, 5);
    CHECK(ids_after(*wal, 0) == range(1, 5));
    CHECK(ids_after(*wal, 3) == range(4, 5));
    CHECK(wal->read_after(0, 2, 1ULL << 30).size() == 2);
    // A byte budget still returns the first record, however large.
    CHECK(wal->read_after(0, 100, 1).size() == 1);
  }
  auto wal = open();
  CHECK(wal->next_id() == 6);
  CHECK(wal->last_tag() == 50);
  CHECK(ids_after(*wal, 0) == range(1, 5));
  CHECK(wal->stats().backlog_records == 5);
  CHECK(verify(dir) == 0);
}

TEST_CASE_METHOD(WalFixture, "acked segments are deleted whole and the watermark survives") {
  {
    auto wal = open({.segment_size = 200});
    append_n(*wal, 20);
    REQUIRE(segments().size() > 3);
    const auto before = segments().size();
    REQUIRE(wal->ack(12, 120).ok());
    CHECK(segments().size() < before);
    CHECK(wal->stats().backlog_records == 8);
  }
  auto wal = open({.segment_size = 200});
  CHECK(wal->acked_id() == 12);
  CHECK(ids_after(*wal, wal->acked_id()) == range(13, 20));
  REQUIRE(wal->ack(20, 200).ok());
  CHECK(segments().size() == 1);  // the newest stays, so ids keep increasing
  CHECK(wal->stats().backlog_records == 0);
}

TEST_CASE_METHOD(WalFixture, "ids and tags keep increasing after everything was acked") {
  {
    auto wal = open({.segment_size = 100});
    append_n(*wal, 6);
    REQUIRE(wal->ack(6, 60).ok());
  }
  // Even when the newest segment has lost its only record, the names and the watermark carry on.
  auto wal = open({.segment_size = 100});
  CHECK(wal->next_id() == 7);
  CHECK(wal->last_tag() == 60);
}

TEST_CASE_METHOD(WalFixture, "a torn tail is truncated at the last valid record") {
  {
    auto wal = open();
    append_n(*wal, 5);
  }
  const auto file = segments().front();
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 5);
  std::string report;
  CHECK(verify(dir, &report) == 0);
  CHECK_THAT(report, Catch::Contains("torn"));
  auto wal = open();
  CHECK(ids_after(*wal, 0) == range(1, 4));
  CHECK(wal->next_id() == 5);
  append_n(*wal, 2);
  CHECK(ids_after(*wal, 0) == range(1, 6));
  CHECK(wal->counters().corrupt_records == 0);
}

TEST_CASE_METHOD(WalFixture, "a zero-filled tail counts as torn, not as damage") {
  {
    auto wal = open();
    append_n(*wal, 3);
  }
  const auto file = segments().front();
  std::filesystem::resize_file(file, std::filesystem::file_size(file) + 4096);
  CHECK(verify(dir) == 0);
  auto wal = open();
  CHECK(ids_after(*wal, 0) == range(1, 3));
}

TEST_CASE_METHOD(WalFixture, "a flipped bit in the middle skips only that record") {
  std::uint64_t third_record_offset = 0;
  {
    auto wal = open();
    append_n(*wal, 5);
    auto scan = agent::wal::scan_segment_file(segments().front(), 1);
    REQUIRE(scan.ok());
    third_record_offset = scan->records[2].offset;
  }
  flip_byte(segments().front(), third_record_offset + agent::wal::kHeaderSize + 2);
  std::string report;
  CHECK(verify(dir, &report) == 1);
  CHECK_THAT(report, Catch::Contains("DAMAGED"));
  auto wal = open();
  CHECK(ids_after(*wal, 0) == std::vector<std::uint64_t>{1, 2, 4, 5});
  CHECK(wal->counters().corrupt_records == 1);
  CHECK(wal->next_id() == 6);
}

TEST_CASE_METHOD(WalFixture, "a damaged header in the middle is skipped too") {
  std::uint64_t second_record_offset = 0;
  {
    auto wal = open();
    append_n(*wal, 4);
    second_record_offset = agent::wal::scan_segment_file(segments().front(), 1)->records[1].offset;
  }
  flip_byte(segments().front(), second_record_offset + 5);  // the length field
  auto wal = open();
  CHECK(ids_after(*wal, 0) == std::vector<std::uint64_t>{1, 3, 4});
}

TEST_CASE_METHOD(WalFixture, "a complete last record with a bad CRC is damage, and is cut off") {
  std::uint64_t last_offset = 0;
  {
    auto wal = open();
    append_n(*wal, 3);
    last_offset = agent::wal::scan_segment_file(segments().front(), 1)->records[2].offset;
  }
  flip_byte(segments().front(), last_offset + agent::wal::kHeaderSize);
  CHECK(verify(dir) == 1);
  auto wal = open();
  CHECK(ids_after(*wal, 0) == range(1, 2));
  CHECK(wal->counters().corrupt_records == 1);
}

TEST_CASE_METHOD(WalFixture, "a damaged watermark is reported and means resend, not loss") {
  {
    auto wal = open();
    append_n(*wal, 3);
    REQUIRE(wal->ack(2, 20).ok());
  }
  flip_byte(dir / agent::wal::kWatermarkFile, 9);
  CHECK(verify(dir) == 1);
  auto wal = open();
  CHECK(wal->acked_id() == 0);
  CHECK(ids_after(*wal, 0) == range(1, 3));
}

TEST_CASE_METHOD(WalFixture, "one process at a time owns a WAL directory") {
  auto wal = open();
  auto second = Wal::open({.dir = dir}, test::capture_logger());
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == "locked");
  CHECK_THAT(second.error().message, Catch::Contains(std::to_string(::getpid())));
}

TEST_CASE_METHOD(WalFixture, "with group fsync, records become readable once synced") {
  auto wal = open({.sync_every_record = false});
  append_n(*wal, 3);
  CHECK(wal->durable_id() == 0);
  CHECK(wal->read_after(0, 10, 1 << 20).empty());
  REQUIRE(wal->sync().ok());
  CHECK(wal->durable_id() == 3);
  CHECK(ids_after(*wal, 0) == range(1, 3));
}

TEST_CASE_METHOD(WalFixture, "the size cap drops the oldest segments and counts unacked batches") {
  auto wal = open({.segment_size = 300, .max_size = 1000});
  append_n(*wal, 40);
  REQUIRE(wal->ack(3, 30).ok());
  wal->enforce_caps(1000);
  CHECK(wal->stats().bytes <= 1000);
  const auto remaining = ids_after(*wal, 0);
  REQUIRE_FALSE(remaining.empty());
  CHECK(remaining.back() == 40);
  CHECK(remaining == range(remaining.front(), 40));
  CHECK(wal->counters().dropped_size == remaining.front() - 1 - 3);
}

TEST_CASE_METHOD(WalFixture, "the age cap drops segments whose newest record is too old") {
  auto wal = open({.segment_size = 200, .max_age = std::chrono::hours(1)});
  append_n(*wal, 10, 1'000);
  append_n(*wal, 10, 10'000'000);
  wal->enforce_caps(10'000'000);
  const auto remaining = ids_after(*wal, 0);
  CHECK(remaining.front() > 1);
  CHECK(remaining.back() == 20);
  CHECK(wal->counters().dropped_age == remaining.front() - 1);
}

TEST_CASE_METHOD(WalFixture, "a write that fills the disk drops the batch and corrupts nothing") {
  auto wal = open();
  append_n(*wal, 3);
  const auto file = segments().front();
  const auto size = std::filesystem::file_size(file);
  // RLIMIT_FSIZE makes the next write come up short, as a full disk does.
  auto previous = std::signal(SIGXFSZ, SIG_IGN);
  rlimit old_limit{};
  getrlimit(RLIMIT_FSIZE, &old_limit);
  rlimit limit = old_limit;
  limit.rlim_cur = size + 10;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &limit) == 0);
  auto failed = wal->append(std::string(100, 'z'), 1000, 99);
  setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, previous);

  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == "disk_full");
  CHECK(wal->counters().dropped_disk_full == 1);
  CHECK(std::filesystem::file_size(file) == size);
  append_n(*wal, 1);
  CHECK(ids_after(*wal, 0) == range(1, 4));
  wal.reset();
  CHECK(verify(dir) == 0);
}

TEST_CASE_METHOD(WalFixture, "inspect lists segments, the watermark and the backlog") {
  {
    auto wal = open({.segment_size = 200});
    append_n(*wal, 8);
    REQUIRE(wal->ack(2, 20).ok());
  }
  std::ostringstream out;
  CHECK(agent::wal_inspect(dir, out) == 0);
  CHECK_THAT(out.str(), Catch::Contains("acked watermark: id 2 (tag 20)"));
  CHECK_THAT(out.str(), Catch::Contains("6 unacked"));
  CHECK_THAT(out.str(), Catch::Contains(".wal"));
  std::ostringstream missing;
  CHECK(agent::wal_inspect(temp / "nowhere", missing) == 2);
  CHECK(verify(temp / "nowhere") == 2);
}
