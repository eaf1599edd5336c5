#include "agent/collectors/builtin.hpp"

#include <fmt/format.h>

namespace sentinel::agent {

core::Error unreadable(std::string_view file, std::string_view why) {
  return core::Error{"unreadable", fmt::format("{}: {}", file, why), true};
}

std::vector<std::unique_ptr<Collector>> make_builtin_collectors(const CollectSettings& settings) {
  std::vector<std::unique_ptr<Collector>> collectors;
  auto add = [&](const CollectorSettings& toggle, auto make) {
    if (toggle.enabled) collectors.push_back(make());
  };
  add(settings.cpu, [&] {
    return std::make_unique<CpuCollector>(settings.cpu_per_core, NameFilter(settings.cpu));
  });
  add(settings.load, [] { return std::make_unique<LoadCollector>(); });
  add(settings.memory, [] { return std::make_unique<MemoryCollector>(); });
  add(settings.filesystem, [&] { return std::make_unique<FilesystemCollector>(settings); });
  add(settings.diskio, [&] { return std::make_unique<DiskIoCollector>(settings.diskio); });
  add(settings.network, [&] { return std::make_unique<NetworkCollector>(settings.network); });
  add(settings.processes, [] { return std::make_unique<ProcessesCollector>(); });
  add(settings.uptime, [] { return std::make_unique<UptimeCollector>(); });
  add(settings.context_switches, [] { return std::make_unique<ContextSwitchesCollector>(); });
  add(settings.fds, [] { return std::make_unique<FdsCollector>(); });
  return collectors;
}

}  // namespace sentinel::agent
