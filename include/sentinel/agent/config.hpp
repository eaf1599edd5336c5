#pragma once
// The `agent` config section (src/agent/README.md lists every key with its default).

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sentinel/core/config.hpp"

namespace sentinel::agent {

// A built-in collector's switch and the glob patterns (fnmatch) its label values must pass:
// mount points, devices, interfaces. An empty include list includes everything; exclude wins.
struct CollectorSettings {
  bool enabled = true;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
};

// Numbered samples instead of host metrics, so that a test harness can count every one
// (sentinel/agent/synthetic.hpp).
struct SyntheticSettings {
  bool enabled = false;
  double rate = 100;         // samples per second
  std::int64_t series = 10;  // distinct series the samples rotate over
};

struct CollectSettings {
  std::filesystem::path proc_root = "/proc";
  std::filesystem::path sys_root = "/sys";
  // Prefix for mount points (statvfs), for an agent in a container with the host's / mounted.
  std::filesystem::path rootfs = "/";
  CollectorSettings cpu, load, memory, filesystem, diskio, network, processes, uptime,
      context_switches, fds;
  bool cpu_per_core = true;
  std::vector<std::string> filesystem_types_exclude;
  SyntheticSettings synthetic;
  static CollectSettings parse(core::ConfigSection& section);
};

enum class PluginFormat { kPrometheus, kJsonLines };

// An exec plugin: a command run on its own interval, its stdout parsed into metrics.
struct PluginSettings {
  std::string name;
  std::vector<std::string> command;  // argv; command[0] is an absolute path (no shell, no PATH)
  core::Duration interval = std::chrono::seconds(60);
  core::Duration timeout = std::chrono::seconds(10);
  PluginFormat format = PluginFormat::kPrometheus;
  std::map<std::string, std::string> env;  // the whole environment of the command
  std::map<std::string, std::string> labels;
  std::filesystem::path working_dir = "/";
  core::ByteSize max_output{1 << 20};
  core::Duration cpu_limit = std::chrono::seconds(10);  // RLIMIT_CPU
  core::ByteSize memory_limit{1ULL << 30};              // RLIMIT_AS
  std::int64_t open_files_limit = 64;                   // RLIMIT_NOFILE
  static PluginSettings parse(core::ConfigSection& section);
};

enum class Compression { kNone, kZstd };

struct AgentConfig {
  std::string gateway_url = "http://127.0.0.1:8080";
  core::Secret bootstrap_token;  // also SENTINEL_BOOTSTRAP_TOKEN
  core::Duration interval = std::chrono::seconds(10);
  std::map<std::string, std::string> labels;  // added to every metric
  std::string user;  // started as root: switch to this user once the files are open

  std::filesystem::path state_dir;  // empty: <data_dir>/agent
  std::filesystem::path wal_dir;    // empty: <data_dir>/agent/wal
  core::ByteSize wal_max_size{256ULL << 20};
  core::Duration wal_max_age = std::chrono::hours(72);
  core::ByteSize wal_segment_size{16ULL << 20};
  // `always` (fsync every record) or a group-fsync period like 100ms.
  bool wal_fsync_always = true;
  core::Duration wal_fsync_interval = std::chrono::milliseconds(100);

  std::filesystem::path tls_ca;
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
  Compression compression = Compression::kZstd;
  core::Duration connect_timeout = std::chrono::seconds(5);
  core::Duration request_timeout = std::chrono::seconds(30);
  core::Duration retry_initial = std::chrono::milliseconds(500);
  core::Duration retry_max = std::chrono::seconds(60);
  std::int64_t batches_per_request = 100;
  core::ByteSize max_request_size{4ULL << 20};
  std::int64_t max_batch_metrics = 2000;
  core::Duration heartbeat_interval = std::chrono::seconds(30);

  CollectSettings collect;
  std::vector<PluginSettings> exec;

  static AgentConfig parse(core::ConfigSection& section);
};

}  // namespace sentinel::agent
