#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

#include "sentinel/core/metrics.hpp"

namespace sentinel::core {
namespace {

struct SelfStat {
  double cpu_seconds = 0;
  double start_ticks = 0;
  double virtual_bytes = 0;
  double resident_pages = 0;
};

// Fields of /proc/self/stat after the command name, which may itself contain spaces: see proc(5).
SelfStat read_self_stat() {
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = text.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream fields(text.substr(close + 2));
  std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
  if (f.size() < 22) return {};
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  // Counting from the state field as 0: utime 11, stime 12, starttime 19, vsize 20, rss 21.
  return {(std::stod(f[11]) + std::stod(f[12])) / ticks, std::stod(f[19]) / ticks, std::stod(f[20]),
          std::stod(f[21])};
}

double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime" && in >> value) return value;
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

double count_open_fds() {
  std::error_code ec;
  double count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++count;
  }
  return count;
}

}  // namespace

ProcessMetrics::ProcessMetrics(MetricsRegistry& registry)
    : resident_(registry.gauge("process_resident_memory_bytes", "Resident memory size in bytes.")),
      virtual_(registry.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.")),
      cpu_seconds_(registry.counter("process_cpu_seconds_total",
                                    "Total user and system CPU time spent in seconds.")),
      open_fds_(registry.gauge("process_open_fds", "Number of open file descriptors.")),
      max_fds_(registry.gauge("process_max_fds", "Maximum number of open file descriptors.")),
      start_time_(registry.gauge("process_start_time_seconds",
                                 "Start time of the process since unix epoch in seconds.")),
      handle_(registry.on_collect([this] { collect(); })) {}

void ProcessMetrics::collect() {
  const SelfStat stat = read_self_stat();
  resident_.set(stat.resident_pages * static_cast<double>(sysconf(_SC_PAGESIZE)));
  virtual_.set(stat.virtual_bytes);
  cpu_seconds_.set_total(stat.cpu_seconds);
  open_fds_.set(count_open_fds());
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) max_fds_.set(static_cast<double>(limit.rlim_cur));
  if (start_time_.value() == 0) start_time_.set(boot_time_seconds() + stat.start_ticks);
}

}  // namespace sentinel::core
