// A child for the WAL crash test: appends records (fsync per record) as fast as it can and prints
// "append <id>" once append() has returned, and "ack <id>" once a watermark is persisted, until
// it is killed. Usage: wal_writer DIR

#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "agent/wal/wal.hpp"
#include "wal_records.hpp"

using namespace sentinel;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: wal_writer DIR\n");
    return 2;
  }
  auto sink = std::make_shared<core::LogSink>(core::LogLevel::kWarn, core::LogFormat::kText);
  auto opened = agent::wal::Wal::open({.dir = argv[1], .segment_size = 64 << 10},
                                      core::Logger(sink, "wal_writer"));
  if (!opened) {
    std::fprintf(stderr, "cannot open: %s\n", opened.error().message.c_str());
    return 1;
  }
  auto& wal = **opened;
  for (;;) {
    const auto id = wal.next_id();
    auto appended = wal.append(test::crash_payload(id), 1000, id);
    if (!appended) return 1;
    // Unbuffered: a line is out the moment the call returned, and a kill can't hold it back.
    std::string line = fmt::format("append {}\n", *appended);
    if (*appended % 64 == 0 && wal.ack(*appended - 32, *appended - 32)) {
      line += fmt::format("ack {}\n", *appended - 32);
    }
    (void)!::write(STDOUT_FILENO, line.data(), line.size());
  }
}
