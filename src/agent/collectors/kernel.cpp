// The small collectors of kernel-wide numbers: load, uptime, activity counters, file handles.

#include "agent/collectors/builtin.hpp"

namespace sentinel::agent {
namespace {

// The first number after `key` on the line of /proc/stat that starts with it.
std::optional<double> stat_value(std::string_view stat, std::string_view key) {
  std::optional<double> found;
  for_each_line(stat, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (found || fields.size() < 2 || fields[0] != key) return;
    if (auto value = parse_number<std::uint64_t>(fields[1])) found = static_cast<double>(*value);
  });
  return found;
}

// The leading numbers of a one-line file like /proc/loadavg.
std::vector<double> leading_numbers(std::string_view text, std::size_t count) {
  std::vector<double> numbers;
  for (auto field : split_fields(text.substr(0, text.find('\n')))) {
    if (numbers.size() == count) break;
    auto value = parse_number<double>(field);
    if (!value) break;
    numbers.push_back(*value);
  }
  return numbers;
}

}  // namespace

core::Status LoadCollector::collect(CollectContext& context, MetricSink& out) {
  const auto* text = context.proc.read("loadavg");
  if (text == nullptr) return unreadable("loadavg");
  auto load = leading_numbers(*text, 3);
  if (load.size() != 3) return unreadable("loadavg", "not three load averages");
  out.gauge("load_average", {{"period", "1m"}}, load[0]);
  out.gauge("load_average", {{"period", "5m"}}, load[1]);
  out.gauge("load_average", {{"period", "15m"}}, load[2]);
  return core::ok_status();
}

core::Status UptimeCollector::collect(CollectContext& context, MetricSink& out) {
  const auto* text = context.proc.read("uptime");
  if (text == nullptr) return unreadable("uptime");
  auto uptime = leading_numbers(*text, 1);
  if (uptime.empty()) return unreadable("uptime", "no number");
  out.gauge("system_uptime_seconds", {}, uptime[0]);
  if (const auto* stat = context.proc.read("stat")) {
    if (auto boot = stat_value(*stat, "btime")) out.gauge("system_boot_time_seconds", {}, *boot);
  }
  return core::ok_status();
}

core::Status ContextSwitchesCollector::collect(CollectContext& context, MetricSink& out) {
  const auto* stat = context.proc.read("stat");
  if (stat == nullptr) return unreadable("stat");
  auto switches = stat_value(*stat, "ctxt");
  if (!switches) return unreadable("stat", "no ctxt line");
  out.counter("context_switches_total", {}, *switches);
  if (auto interrupts = stat_value(*stat, "intr")) out.counter("interrupts_total", {}, *interrupts);
  if (auto forks = stat_value(*stat, "processes")) out.counter("forks_total", {}, *forks);
  return core::ok_status();
}

core::Status FdsCollector::collect(CollectContext& context, MetricSink& out) {
  const auto* text = context.proc.read("sys/fs/file-nr");
  if (text == nullptr) return unreadable("sys/fs/file-nr");
  // allocated, free (always 0 since Linux 2.6), maximum.
  auto numbers = leading_numbers(*text, 3);
  if (numbers.size() != 3) return unreadable("sys/fs/file-nr", "not three numbers");
  out.gauge("system_open_fds", {}, numbers[0] - numbers[1]);
  out.gauge("system_max_fds", {}, numbers[2]);
  return core::ok_status();
}

}  // namespace sentinel::agent
