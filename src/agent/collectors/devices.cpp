// Per-device counters: block devices from /proc/diskstats, interfaces from /proc/net/dev.

#include "agent/collectors/builtin.hpp"

namespace sentinel::agent {
namespace {

// Sectors in /proc/diskstats are 512 bytes whatever the device's own sector size.
constexpr double kSectorBytes = 512;
constexpr double kMillisecond = 0.001;

struct DiskField {
  std::string_view metric;
  double scale;
  bool gauge = false;
};

// The fields after major, minor and name, in kernel order (Documentation/admin-guide/iostats.rst):
// 11 since 2.6, 15 since 4.18 (discards), 17 since 5.5 (flushes).
constexpr std::array<DiskField, 17> kDiskFields = {{
    {"disk_reads_total", 1},
    {"disk_reads_merged_total", 1},
    {"disk_read_bytes_total", kSectorBytes},
    {"disk_read_time_seconds_total", kMillisecond},
    {"disk_writes_total", 1},
    {"disk_writes_merged_total", 1},
    {"disk_written_bytes_total", kSectorBytes},
    {"disk_write_time_seconds_total", kMillisecond},
    {"disk_io_in_progress", 1, true},
    {"disk_io_time_seconds_total", kMillisecond},
    {"disk_io_weighted_time_seconds_total", kMillisecond},
    {"disk_discards_total", 1},
    {"disk_discards_merged_total", 1},
    {"disk_discarded_bytes_total", kSectorBytes},
    {"disk_discard_time_seconds_total", kMillisecond},
    {"disk_flushes_total", 1},
    {"disk_flush_time_seconds_total", kMillisecond},
}};

// Partitions on kernels before 2.6.25 have 4 fields: reads, sectors read, writes, sectors written.
constexpr std::array<DiskField, 4> kOldPartitionFields = {{
    {"disk_reads_total", 1},
    {"disk_read_bytes_total", kSectorBytes},
    {"disk_writes_total", 1},
    {"disk_written_bytes_total", kSectorBytes},
}};

template <std::size_t N>
void report_fields(const std::array<DiskField, N>& layout,
                   const std::vector<std::string_view>& fields, std::size_t count,
                   const std::string& device, MetricSink& out) {
  for (std::size_t i = 0; i < count; ++i) {
    auto value = parse_number<std::uint64_t>(fields[i + 3]);
    if (!value) continue;
    const double scaled = static_cast<double>(*value) * layout[i].scale;
    if (layout[i].gauge) {
      out.gauge(layout[i].metric, {{"device", device}}, scaled);
    } else {
      out.counter(layout[i].metric, {{"device", device}}, scaled);
    }
  }
}

struct InterfaceField {
  std::size_t index;  // among the 16 numbers of a line: 8 receive, then 8 transmit
  std::string_view metric;
};

constexpr std::array<InterfaceField, 8> kInterfaceFields = {{
    {0, "network_receive_bytes_total"},
    {1, "network_receive_packets_total"},
    {2, "network_receive_errors_total"},
    {3, "network_receive_drops_total"},
    {8, "network_transmit_bytes_total"},
    {9, "network_transmit_packets_total"},
    {10, "network_transmit_errors_total"},
    {11, "network_transmit_drops_total"},
}};

}  // namespace

core::Status DiskIoCollector::collect(CollectContext& context, MetricSink& out) {
  const auto* text = context.proc.read("diskstats");
  if (text == nullptr) return unreadable("diskstats");
  for_each_line(*text, [&](std::string_view line) {
    auto fields = split_fields(line);
    if (fields.size() < 7) return;
    const std::string device(fields[2]);
    if (!devices_.accepts(device)) return;
    if (fields.size() == 7) {
      report_fields(kOldPartitionFields, fields, 4, device, out);
    } else {
      report_fields(kDiskFields, fields, std::min(fields.size() - 3, kDiskFields.size()), device,
                    out);
    }
  });
  return core::ok_status();
}

core::Status NetworkCollector::collect(CollectContext& context, MetricSink& out) {
  const auto* text = context.proc.read("net/dev");
  if (text == nullptr) return unreadable("net/dev");
  for_each_line(*text, [&](std::string_view line) {
    // "  eth0: 123 ..." and, on old kernels with large counters, "eth0:123 ...".
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return;
    auto names = split_fields(line.substr(0, colon));
    auto fields = split_fields(line.substr(colon + 1));
    if (names.size() != 1 || fields.size() < 16) return;
    const std::string interface(names[0]);
    if (!interfaces_.accepts(interface)) return;
    for (const auto& field : kInterfaceFields) {
      if (auto value = parse_number<std::uint64_t>(fields[field.index])) {
        out.counter(field.metric, {{"interface", interface}}, static_cast<double>(*value));
      }
    }
  });
  return core::ok_status();
}

}  // namespace sentinel::agent
