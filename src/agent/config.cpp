#include "sentinel/agent/config.hpp"

#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "sentinel/http/client.hpp"

#include "agent/metric_names.hpp"

namespace sentinel::agent {
namespace {

using namespace std::chrono_literals;
using core::ByteSize;
using core::Duration;
using core::Range;

void read_labels(core::ConfigSection& section, std::map<std::string, std::string>& labels) {
  section.read("labels", labels);
  for (const auto& [name, value] : labels) {
    if (!valid_label_name(name)) {
      section.fail("labels",
                   fmt::format("label names like [a-zA-Z_][a-zA-Z0-9_]* (not \"{}\")", name));
    }
  }
}

// `patterns`: the collector reports per-item label values (cores, mounts, devices,
// interfaces) that include/exclude globs choose from.
CollectorSettings read_collector(core::ConfigSection& parent, std::string_view name, bool patterns,
                                 std::vector<std::string> default_exclude = {}) {
  CollectorSettings settings;
  settings.exclude = std::move(default_exclude);
  auto section = parent.child(name);
  section.read("enabled", settings.enabled);
  if (patterns) {
    section.read("include", settings.include);
    section.read("exclude", settings.exclude);
  }
  return settings;
}

void read_fsync(core::ConfigSection& section, AgentConfig& config) {
  std::string text = "always";
  section.read("wal_fsync", text);
  if (text == "always") return;
  auto period = core::parse_duration(text);
  if (!period || *period < 1ms || *period > 10s) {
    section.fail("wal_fsync", "always, or a group-fsync period between 1ms and 10s like 100ms");
    return;
  }
  config.wal_fsync_always = false;
  config.wal_fsync_interval = *period;
}

void read_tls(core::ConfigSection& section, AgentConfig& config) {
  section.read("tls_ca", config.tls_ca);
  section.read("tls_cert", config.tls_cert);
  section.read("tls_key", config.tls_key);
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    section.fail(config.tls_cert.empty() ? "tls_cert" : "tls_key",
                 "tls_cert and tls_key to be set together");
  }
  for (auto [key, path] :
       {std::pair{"tls_ca", &config.tls_ca}, std::pair{"tls_cert", &config.tls_cert},
        std::pair{"tls_key", &config.tls_key}}) {
    std::error_code ec;
    if (!path->empty() && !std::filesystem::is_regular_file(*path, ec))
      section.fail(key, "a readable file");
  }
  auto url = http::parse_url(config.gateway_url);
  if (!url) {
    section.fail("gateway_url", "a URL like https://gateway.example:8443");
  } else if (!url->tls && (!config.tls_ca.empty() || !config.tls_cert.empty())) {
    section.fail("gateway_url", "an https:// URL, since TLS files are set");
  }
}

void read_wal(core::ConfigSection& section, AgentConfig& config) {
  section.read("wal_dir", config.wal_dir);
  section.read("wal_segment_size", config.wal_segment_size,
               Range<ByteSize>{{64 << 10}, {1ULL << 30}});
  section.read("wal_max_size", config.wal_max_size, Range<ByteSize>{{1 << 20}, {1ULL << 40}});
  section.read("wal_max_age", config.wal_max_age,
               Range<Duration>{1min, std::chrono::hours(24 * 365)});
  read_fsync(section, config);
  if (config.wal_max_size.bytes < 4 * config.wal_segment_size.bytes) {
    section.fail("wal_max_size",
                 "at least 4 times wal_segment_size, so that the cap drops old "
                 "segments while new ones fill");
  }
}

void read_exporter(core::ConfigSection& section, AgentConfig& config) {
  section.read_enum("compression", config.compression,
                    {{"zstd", Compression::kZstd}, {"none", Compression::kNone}});
  section.read("connect_timeout", config.connect_timeout, Range<Duration>{100ms, 5min});
  section.read("request_timeout", config.request_timeout, Range<Duration>{100ms, 10min});
  section.read("retry_initial", config.retry_initial, Range<Duration>{10ms, 1min});
  section.read("retry_max", config.retry_max, Range<Duration>{10ms, 1h});
  section.read("batches_per_request", config.batches_per_request, Range<std::int64_t>{1, 1000});
  section.read("max_request_size", config.max_request_size,
               Range<ByteSize>{{64 << 10}, {16 << 20}});
  section.read("max_batch_metrics", config.max_batch_metrics, Range<std::int64_t>{1, 10'000});
}

}  // namespace

CollectSettings CollectSettings::parse(core::ConfigSection& section) {
  CollectSettings settings;
  section.read("proc_root", settings.proc_root);
  section.read("sys_root", settings.sys_root);
  section.read("rootfs", settings.rootfs);
  settings.cpu = read_collector(section, "cpu", true);
  section.child("cpu").read("per_core", settings.cpu_per_core);
  settings.load = read_collector(section, "load", false);
  settings.memory = read_collector(section, "memory", false);
  settings.filesystem = read_collector(
      section, "filesystem", true,
      {"/dev", "/dev/*", "/proc", "/proc/*", "/sys", "/sys/*", "/run/credentials/*",
       "/var/lib/docker/*", "/var/lib/containers/storage/*", "/var/lib/kubelet/pods/*"});
  settings.filesystem_types_exclude = {
      "autofs",     "binfmt_misc", "bpf",      "cgroup",  "cgroup2",   "configfs", "debugfs",
      "devpts",     "devtmpfs",    "efivarfs", "fusectl", "hugetlbfs", "iso9660",  "mqueue",
      "nsfs",       "overlay",     "proc",     "procfs",  "pstore",    "ramfs",    "rpc_pipefs",
      "securityfs", "selinuxfs",   "squashfs", "sysfs",   "tracefs"};
  section.child("filesystem").read("types_exclude", settings.filesystem_types_exclude);
  settings.diskio = read_collector(section, "diskio", true, {"loop*", "ram*", "zram*", "fd*"});
  settings.network = read_collector(section, "network", true);
  settings.processes = read_collector(section, "processes", false);
  settings.uptime = read_collector(section, "uptime", false);
  settings.context_switches = read_collector(section, "context_switches", false);
  settings.fds = read_collector(section, "fds", false);
  auto synthetic = section.child("synthetic");
  synthetic.read("enabled", settings.synthetic.enabled);
  synthetic.read("rate", settings.synthetic.rate, Range<double>{0.001, 1'000'000});
  synthetic.read("series", settings.synthetic.series, Range<std::int64_t>{1, 100'000});
  return settings;
}

PluginSettings PluginSettings::parse(core::ConfigSection& section) {
  PluginSettings settings;
  section.read("name", settings.name);
  if (settings.name.empty() || !valid_label_name(settings.name)) {
    section.fail("name", "a plugin name like [a-zA-Z_][a-zA-Z0-9_]*");
  }
  section.read("command", settings.command);
  if (settings.command.empty() || !settings.command.front().starts_with('/')) {
    section.fail("command", "an argv list whose first element is an absolute path (no shell)");
  }
  section.read("interval", settings.interval, Range<Duration>{1s, 24h});
  section.read("timeout", settings.timeout, Range<Duration>{100ms, 1h});
  section.read_enum(
      "format", settings.format,
      {{"prometheus", PluginFormat::kPrometheus}, {"json", PluginFormat::kJsonLines}});
  section.read("env", settings.env);
  read_labels(section, settings.labels);
  section.read("working_dir", settings.working_dir);
  section.read("max_output", settings.max_output, Range<ByteSize>{{1024}, {64ULL << 20}});
  section.read("cpu_limit", settings.cpu_limit, Range<Duration>{1s, 24h});
  section.read("memory_limit", settings.memory_limit, Range<ByteSize>{{16ULL << 20}, {1ULL << 40}});
  section.read("open_files_limit", settings.open_files_limit, Range<std::int64_t>{4, 1 << 20});
  return settings;
}

AgentConfig AgentConfig::parse(core::ConfigSection& section) {
  AgentConfig config;
  section.read("gateway_url", config.gateway_url);
  section.read("bootstrap_token", config.bootstrap_token, core::SecretKind::kExternal, false);
  if (config.bootstrap_token.empty()) {
    // The conventional variable of enrolment scripts, besides SENTINEL_AGENT_BOOTSTRAP_TOKEN.
    if (const char* token = std::getenv("SENTINEL_BOOTSTRAP_TOKEN"))
      config.bootstrap_token = core::Secret(token);
  }
  section.read("interval", config.interval, Range<Duration>{1s, 1h});
  read_labels(section, config.labels);
  section.read("user", config.user);
  section.read("state_dir", config.state_dir);
  section.read("heartbeat_interval", config.heartbeat_interval, Range<Duration>{1s, 1h});
  read_wal(section, config);
  read_tls(section, config);
  read_exporter(section, config);
  auto collect = section.child("collect");
  config.collect = CollectSettings::parse(collect);
  std::set<std::string> names;
  for (auto& plugin : section.list("exec")) {
    config.exec.push_back(PluginSettings::parse(plugin));
    if (!names.insert(config.exec.back().name).second)
      plugin.fail("name", "a name no other plugin has");
  }
  return config;
}

}  // namespace sentinel::agent
