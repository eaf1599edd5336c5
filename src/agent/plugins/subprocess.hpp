#pragma once
// Runs a command without a shell and without blocking the event loop: fork/exec with a cleared
// environment, rlimits and its own process group; stdout and stderr read through pipes wrapped in
// Asio descriptors; the exit awaited through a pidfd (or polled where the kernel has none); on
// timeout or too much output the whole process group is killed.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "sentinel/core/config_types.hpp"

namespace sentinel::agent {

struct SubprocessOptions {
  std::vector<std::string> argv;           // argv[0]: an absolute path
  std::map<std::string, std::string> env;  // the whole environment
  std::filesystem::path working_dir = "/";
  core::Duration timeout = std::chrono::seconds(10);
  std::size_t max_output = 1 << 20;          // stdout bytes
  std::uint64_t cpu_seconds = 10;            // RLIMIT_CPU
  std::uint64_t address_space = 1ULL << 30;  // RLIMIT_AS
  std::uint64_t open_files = 64;             // RLIMIT_NOFILE
};

struct SubprocessResult {
  enum class End { kExited, kSignaled, kTimedOut, kOutputTooLarge, kSpawnFailed };
  End end = End::kSpawnFailed;
  int code = 0;        // the exit status, or the signal that ended it
  std::string output;  // stdout, up to max_output
  std::string errors;  // the start of stderr, for logs
  std::string spawn_error;
  bool succeeded() const { return end == End::kExited && code == 0; }
};

// Runs on the calling coroutine's executor.
boost::asio::awaitable<SubprocessResult> run_subprocess(const SubprocessOptions& options);

}  // namespace sentinel::agent
