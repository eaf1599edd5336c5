// WAL append throughput against a plain write+fdatasync loop of the same record sizes, measured
// in one run (docs/BENCHMARKS.md). Usage: wal_append_bench [DIR] [SECONDS_PER_RUN]
//
// For each record size, three pairs, each run three times alternately (median kept):
//   group:   the WAL with group fsync (one fdatasync per 10 ms, as `wal_fsync: 10ms`)
//            vs write+fdatasync per record: the agent's setting against the naive durable loop
//   each:    the WAL with fsync per record (`wal_fsync: always`) vs write+fdatasync per record:
//            what the WAL's headers, CRC and index cost on top of the same fsyncs
//   grouped: the WAL with group fsync vs a write loop with the same 10 ms fdatasync period

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <string>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include "agent/wal/wal.hpp"

using namespace sentinel;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kGroupPeriod = std::chrono::milliseconds(10);

struct Run {
  std::filesystem::path dir;
  std::size_t record_size;
  std::chrono::duration<double> length;
};

// Calls `append` until `length` has passed and returns appends per second.
double measure(const Run& run, const std::function<void()>& append,
               const std::function<void()>& flush) {
  std::size_t count = 0;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(run.length);
  while (Clock::now() < end) {
    append();
    ++count;
  }
  flush();
  return static_cast<double>(count) / std::chrono::duration<double>(Clock::now() - start).count();
}

double plain_loop(const Run& run, bool group) {
  std::filesystem::remove_all(run.dir);
  std::filesystem::create_directories(run.dir);
  const int fd =
      ::open((run.dir / "plain").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const std::string record(run.record_size, 'r');
  auto last_sync = Clock::now();
  const double rate = measure(
      run,
      [&] {
        if (::write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size()))
          std::abort();
        if (!group || Clock::now() - last_sync >= kGroupPeriod) {
          ::fdatasync(fd);
          last_sync = Clock::now();
        }
      },
      [&] { ::fdatasync(fd); });
  ::close(fd);
  return rate;
}

double wal_loop(const Run& run, bool group) {
  std::filesystem::remove_all(run.dir);
  auto sink = std::make_shared<core::LogSink>(core::LogLevel::kError, core::LogFormat::kText);
  auto wal = std::move(agent::wal::Wal::open({.dir = run.dir,
                                              .segment_size = 64ULL << 20,
                                              .max_size = 1ULL << 40,
                                              .sync_every_record = !group},
                                             core::Logger(sink, "bench"))
                           .value());
  const std::string record(run.record_size, 'r');
  auto last_sync = Clock::now();
  std::uint64_t acked = 0;
  return measure(
      run,
      [&] {
        auto id = wal->append(record, 0, 0);
        if (!id) std::abort();
        if (group && Clock::now() - last_sync >= kGroupPeriod) {
          if (!wal->sync()) std::abort();
          last_sync = Clock::now();
        }
        // Keep the directory small as the exporter would: ack all but the newest segment.
        if (*id - acked > 20'000 && wal->ack(*id - 1000, 0)) acked = *id - 1000;
      },
      [&] { (void)wal->sync(); });
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Runs `candidate` and `reference` alternately and prints their medians and ratio.
void compare(const char* name, const Run& run, const std::function<double()>& candidate,
             const std::function<double()>& reference) {
  std::vector<double> a, b;
  for (int i = 0; i < 3; ++i) {
    a.push_back(candidate());
    b.push_back(reference());
  }
  std::printf(
      "%-8s %7zu B  wal %10.0f rec/s %8.1f MB/s   plain %10.0f rec/s %8.1f MB/s   ratio %.2fx\n",
      name, run.record_size, median(a), median(a) * run.record_size / 1e6, median(b),
      median(b) * run.record_size / 1e6, median(a) / median(b));
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir =
      argc > 1 ? argv[1] : std::filesystem::temp_directory_path() / "wal-bench";
  const double seconds = argc > 2 ? std::stod(argv[2]) : 2.0;
  std::printf("WAL append throughput, %s per run, median of 3, directory %s\n",
              fmt::format("{}s", seconds).c_str(), dir.c_str());
  for (std::size_t size : {512UL, 4096UL, 32768UL}) {
    const Run run{dir, size, std::chrono::duration<double>(seconds)};
    compare(
        "group", run, [&] { return wal_loop(run, true); }, [&] { return plain_loop(run, false); });
    compare(
        "each", run, [&] { return wal_loop(run, false); }, [&] { return plain_loop(run, false); });
    compare(
        "grouped", run, [&] { return wal_loop(run, true); }, [&] { return plain_loop(run, true); });
  }
  std::filesystem::remove_all(dir);
}
