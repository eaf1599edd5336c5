#include "support/agent_wal.hpp"

#include <regex>

#include <fmt/format.h>

#include "support/process.hpp"

namespace sentinel::test {

WalState inspect_wal(const std::filesystem::path& wal_dir) {
  std::string output;
  WalState state;
  if (run_command({sentineld_binary().string(), "wal", "inspect", wal_dir.string()}, &output) != 0)
    return state;
  static const std::regex watermark(R"(acked watermark: id \d+ \(tag (\d+)\))");
  static const std::regex summary(R"(records, (\d+) unacked)");
  std::smatch match;
  if (std::regex_search(output, match, watermark)) state.acked_tag = std::stoull(match[1]);
  if (std::regex_search(output, match, summary)) {
    state.unacked = std::stoull(match[1]);
    state.readable = true;
  }
  return state;
}

std::map<std::string, std::string> drain_only_env() {
  std::map<std::string, std::string> env;
  for (const char* collector : {"CPU", "LOAD", "MEMORY", "FILESYSTEM", "DISKIO", "NETWORK",
                                "PROCESSES", "UPTIME", "CONTEXT_SWITCHES", "FDS", "SYNTHETIC"})
    env[fmt::format("SENTINEL_AGENT_COLLECT_{}_ENABLED", collector)] = "false";
  return env;
}

}  // namespace sentinel::test
