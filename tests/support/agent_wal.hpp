#pragma once
// What tests that count an agent's synthetic samples need from outside the agent: the state of
// its WAL as `sentineld wal inspect` prints it, and the environment of a drain-only run.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace sentinel::test {

struct WalState {
  std::uint64_t acked_tag = 0;  // the acked watermark's tag: the last acknowledged sample seq
  std::uint64_t unacked = 0;    // records after the watermark
  bool readable = false;        // inspect printed its summary line
};

WalState inspect_wal(const std::filesystem::path& wal_dir);

// Every collector off, the synthetic one too: a restarted agent only sends what its WAL holds.
std::map<std::string, std::string> drain_only_env();

}  // namespace sentinel::test
