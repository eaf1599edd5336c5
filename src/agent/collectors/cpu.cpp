#include <numeric>

#include "agent/collectors/builtin.hpp"

namespace sentinel::agent {
namespace {

constexpr std::array<std::string_view, 8> kModes = {"user",   "nice", "system",  "idle",
                                                    "iowait", "irq",  "softirq", "steal"};
constexpr std::size_t kIdle = 3;
constexpr std::size_t kIowait = 4;

// "cpu" is the machine's total, "cpuN" core N; older kernels have fewer columns (no steal before
// 2.6.11, no guest before 2.6.24), which count as zero.
std::optional<std::pair<std::string, CpuCollector::Jiffies>> parse_cpu_line(std::string_view line) {
  auto fields = split_fields(line);
  if (fields.size() < 5 || !fields[0].starts_with("cpu")) return std::nullopt;
  std::string cpu = fields[0] == "cpu" ? "total" : std::string(fields[0].substr(3));
  CpuCollector::Jiffies jiffies{};
  for (std::size_t i = 0; i < jiffies.size() && i + 1 < fields.size(); ++i) {
    auto value = parse_number<std::uint64_t>(fields[i + 1]);
    if (!value) return std::nullopt;
    jiffies[i] = *value;
  }
  return std::pair{std::move(cpu), jiffies};
}

}  // namespace

core::Status CpuCollector::collect(CollectContext& context, MetricSink& out) {
  const auto* stat = context.proc.read("stat");
  if (stat == nullptr) return unreadable("stat");
  std::map<std::string, Jiffies> current;
  for_each_line(*stat, [&](std::string_view line) {
    if (auto parsed = parse_cpu_line(line)) current.insert(std::move(*parsed));
  });
  if (!current.contains("total")) return unreadable("stat", "no cpu line");
  out.gauge("cpu_count", {}, static_cast<double>(current.size() - 1));
  for (const auto& [cpu, jiffies] : current) {
    if (cpu == "total" || (per_core_ && cpus_.accepts(cpu))) report(cpu, jiffies, out);
  }
  previous_ = std::move(current);
  return core::ok_status();
}

void CpuCollector::report(const std::string& cpu, const Jiffies& now, MetricSink& out) {
  auto before = previous_.find(cpu);
  if (before == previous_.end()) return;
  Jiffies delta{};
  for (std::size_t i = 0; i < now.size(); ++i) {
    // A counter that went backwards (a core taken offline and back) makes this tick meaningless.
    if (now[i] < before->second[i]) return;
    delta[i] = now[i] - before->second[i];
  }
  const auto total = std::accumulate(delta.begin(), delta.end(), std::uint64_t{0});
  if (total == 0) return;
  auto percent = [&](std::uint64_t part) {
    return 100.0 * static_cast<double>(part) / static_cast<double>(total);
  };
  out.gauge("cpu_usage_percent", {{"cpu", cpu}}, percent(total - delta[kIdle] - delta[kIowait]));
  for (std::size_t i = 0; i < kModes.size(); ++i) {
    out.gauge("cpu_mode_percent", {{"cpu", cpu}, {"mode", std::string(kModes[i])}},
              percent(delta[i]));
  }
}

}  // namespace sentinel::agent
