#include "agent/host_facts.hpp"

#include <sys/utsname.h>
#include <thread>
#include <unistd.h>

#include "sentinel/core/version.hpp"

#include "agent/collectors/proc_files.hpp"

namespace sentinel::agent {
namespace {

std::string_view label(const v1::Metric& metric, std::string_view name) {
  for (const auto& l : metric.labels()) {
    if (l.name() == name) return l.value();
  }
  return {};
}

}  // namespace

v1::HostFacts static_host_facts() {
  v1::HostFacts facts;
  facts.set_os("linux");
  char hostname[256] = {};
  if (::gethostname(hostname, sizeof hostname - 1) == 0) facts.set_hostname(hostname);
  utsname names{};
  if (::uname(&names) == 0) facts.set_kernel(names.release);
  facts.set_cpu_count(std::thread::hardware_concurrency());
  facts.set_agent_version(std::string(core::version()));
  return facts;
}

void update_host_facts(const std::vector<v1::Metric>& metrics, v1::HostFacts& facts) {
  for (const auto& metric : metrics) {
    const auto& name = metric.name();
    const double value = metric.double_value();
    if (name == "cpu_usage_percent" && label(metric, "cpu") == "total") {
      facts.set_cpu_percent(value);
    } else if (name == "memory_used_percent") {
      facts.set_memory_percent(value);
    } else if (name == "filesystem_used_percent" && label(metric, "mountpoint") == "/") {
      facts.set_disk_percent(value);
    } else if (name == "system_uptime_seconds") {
      facts.set_uptime_seconds(static_cast<std::int64_t>(value));
    } else if (name == "load_average") {
      const auto period = label(metric, "period");
      if (period == "1m") facts.set_load1(value);
      if (period == "5m") facts.set_load5(value);
      if (period == "15m") facts.set_load15(value);
    }
  }
}

std::string machine_id(const std::filesystem::path& rootfs) {
  auto text = read_small_file(rootfs / "etc/machine-id");
  if (!text) return {};
  while (!text->empty() && (text->back() == '\n' || text->back() == ' '))
    text->pop_back();
  return *text;
}

}  // namespace sentinel::agent
