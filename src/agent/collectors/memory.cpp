#include "agent/collectors/builtin.hpp"

namespace sentinel::agent {
namespace {

// /proc/meminfo as field name -> bytes ("MemTotal:  16384 kB").
std::map<std::string, double, std::less<>> parse_meminfo(std::string_view text) {
  std::map<std::string, double, std::less<>> fields;
  for_each_line(text, [&](std::string_view line) {
    auto parts = split_fields(line);
    if (parts.size() < 2 || !parts[0].ends_with(':')) return;
    auto value = parse_number<std::uint64_t>(parts[1]);
    if (!value) return;
    const double unit = parts.size() > 2 && parts[2] == "kB" ? 1024.0 : 1.0;
    fields.emplace(parts[0].substr(0, parts[0].size() - 1), static_cast<double>(*value) * unit);
  });
  return fields;
}

double percent(double part, double whole) {
  return whole > 0 ? 100.0 * part / whole : 0.0;
}

}  // namespace

core::Status MemoryCollector::collect(CollectContext& context, MetricSink& out) {
  const auto* text = context.proc.read("meminfo");
  if (text == nullptr) return unreadable("meminfo");
  const auto fields = parse_meminfo(*text);
  auto field = [&](std::string_view name) {
    auto it = fields.find(name);
    return it == fields.end() ? 0.0 : it->second;
  };
  if (!fields.contains("MemTotal")) return unreadable("meminfo", "no MemTotal");
  const double total = field("MemTotal");
  const double free = field("MemFree");
  // Kernels before 3.14 have no MemAvailable: estimate it as free(1) then did, with what the page
  // cache and buffers could give back.
  const double available = fields.contains("MemAvailable")
                               ? field("MemAvailable")
                               : free + field("Buffers") + field("Cached");
  out.gauge("memory_total_bytes", {}, total);
  out.gauge("memory_free_bytes", {}, free);
  out.gauge("memory_available_bytes", {}, available);
  out.gauge("memory_used_bytes", {}, total - available);
  out.gauge("memory_used_percent", {}, percent(total - available, total));
  out.gauge("memory_buffers_bytes", {}, field("Buffers"));
  out.gauge("memory_cached_bytes", {}, field("Cached"));
  out.gauge("memory_shared_bytes", {}, field("Shmem"));
  const double swap_total = field("SwapTotal");
  const double swap_used = swap_total - field("SwapFree");
  out.gauge("swap_total_bytes", {}, swap_total);
  out.gauge("swap_free_bytes", {}, field("SwapFree"));
  out.gauge("swap_used_bytes", {}, swap_used);
  out.gauge("swap_used_percent", {}, percent(swap_used, swap_total));
  return core::ok_status();
}

}  // namespace sentinel::agent
