#pragma once
// The built-in collectors (src/agent/README.md lists their metrics). Each reads from the
// CollectContext's /proc view, so tests point them at fixture trees.

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <sys/statvfs.h>

#include "sentinel/agent/config.hpp"

#include "agent/collectors/collector.hpp"
#include "agent/collectors/name_filter.hpp"

namespace sentinel::agent {

// cpu_usage_percent{cpu} and cpu_mode_percent{cpu,mode} from the change of /proc/stat's jiffies
// since the previous tick (nothing on the first tick), for "total" and, if asked, every core whose
// number passes the filter.
class CpuCollector final : public Collector {
 public:
  explicit CpuCollector(bool per_core, NameFilter cpus = {})
      : per_core_(per_core), cpus_(std::move(cpus)) {}
  std::string_view name() const override { return "cpu"; }
  core::Status collect(CollectContext& context, MetricSink& out) override;

  // user, nice, system, idle, iowait, irq, softirq, steal (guest time is inside user and nice).
  using Jiffies = std::array<std::uint64_t, 8>;

 private:
  void report(const std::string& cpu, const Jiffies& now, MetricSink& out);
  bool per_core_;
  NameFilter cpus_;
  std::map<std::string, Jiffies> previous_;
};

// load_average{period="1m"|"5m"|"15m"}.
class LoadCollector final : public Collector {
 public:
  std::string_view name() const override { return "load"; }
  core::Status collect(CollectContext& context, MetricSink& out) override;
};

// memory_* and swap_* in bytes, and used percentages, from /proc/meminfo.
class MemoryCollector final : public Collector {
 public:
  std::string_view name() const override { return "memory"; }
  core::Status collect(CollectContext& context, MetricSink& out) override;
};

// filesystem_* per mount point (statvfs), pseudo file systems left out.
class FilesystemCollector final : public Collector {
 public:
  using StatFs = std::function<std::optional<struct statvfs>(const std::filesystem::path&)>;
  FilesystemCollector(const CollectSettings& settings, StatFs statfs = {});
  std::string_view name() const override { return "filesystem"; }
  core::Status collect(CollectContext& context, MetricSink& out) override;

 private:
  std::filesystem::path rootfs_;
  NameFilter mount_points_;
  NameFilter types_;
  StatFs statfs_;
};

// disk_* counters per block device from /proc/diskstats (14, 18 or 20 fields).
class DiskIoCollector final : public Collector {
 public:
  explicit DiskIoCollector(const CollectorSettings& settings) : devices_(settings) {}
  std::string_view name() const override { return "diskio"; }
  core::Status collect(CollectContext& context, MetricSink& out) override;

 private:
  NameFilter devices_;
};

// network_* counters per interface from /proc/net/dev.
class NetworkCollector final : public Collector {
 public:
  explicit NetworkCollector(const CollectorSettings& settings) : interfaces_(settings) {}
  std::string_view name() const override { return "network"; }
  core::Status collect(CollectContext& context, MetricSink& out) override;

 private:
  NameFilter interfaces_;
};

// processes_total, processes{state} and threads_total from /proc/<pid>/stat.
class ProcessesCollector final : public Collector {
 public:
  std::string_view name() const override { return "processes"; }
  core::Status collect(CollectContext& context, MetricSink& out) override;
};

// system_uptime_seconds and system_boot_time_seconds.
class UptimeCollector final : public Collector {
 public:
  std::string_view name() const override { return "uptime"; }
  core::Status collect(CollectContext& context, MetricSink& out) override;
};

// context_switches_total, interrupts_total and forks_total from /proc/stat.
class ContextSwitchesCollector final : public Collector {
 public:
  std::string_view name() const override { return "context_switches"; }
  core::Status collect(CollectContext& context, MetricSink& out) override;
};

// system_open_fds and system_max_fds from /proc/sys/fs/file-nr.
class FdsCollector final : public Collector {
 public:
  std::string_view name() const override { return "fds"; }
  core::Status collect(CollectContext& context, MetricSink& out) override;
};

// The enabled built-in collectors, in a fixed order.
std::vector<std::unique_ptr<Collector>> make_builtin_collectors(const CollectSettings& settings);

// The error every collector returns for a file it cannot read or understand.
core::Error unreadable(std::string_view file, std::string_view why = "unreadable");

}  // namespace sentinel::agent
