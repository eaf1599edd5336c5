#include "sentinel/agent/wal_tool.hpp"

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "sentinel/core/config_types.hpp"
#include "sentinel/core/durable_file.hpp"

#include "agent/wal/format.hpp"

namespace sentinel::agent {
namespace {

using wal::SegmentScan;

std::string format_time(std::int64_t ms) {
  const std::chrono::sys_time<std::chrono::milliseconds> time{std::chrono::milliseconds(ms)};
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::floor<std::chrono::seconds>(time));
}

struct ScannedSegment {
  wal::SegmentFile file;
  core::Result<SegmentScan> scan;
};

// Every segment scanned as the WAL itself would: ids continue from one segment to the next.
std::vector<ScannedSegment> scan_all(const std::filesystem::path& dir) {
  std::vector<ScannedSegment> segments;
  std::uint64_t next_id = 0;
  for (const auto& file : wal::list_segment_files(dir)) {
    auto scan = wal::scan_segment_file(file.path, std::max(file.first_id, next_id));
    if (scan && !scan->records.empty()) next_id = scan->records.back().id + 1;
    segments.push_back({file, std::move(scan)});
  }
  return segments;
}

std::string describe(const SegmentScan& scan) {
  std::string text = fmt::format("{:>10}  records {:>6}", core::format_byte_size({scan.file_size}),
                                 scan.records.size());
  if (!scan.records.empty()) {
    text += fmt::format("  ids {}-{}  {} .. {}", scan.records.front().id, scan.records.back().id,
                        format_time(scan.records.front().time_ms),
                        format_time(scan.records.back().time_ms));
  }
  if (scan.bad_magic) text += "  NOT A SEGMENT (bad magic)";
  std::uint64_t damaged = 0;
  for (const auto& range : scan.damaged)
    damaged += range.size;
  if (!scan.damaged.empty()) {
    text += fmt::format("  DAMAGED {} ranges, {} bytes", scan.damaged.size(), damaged);
  }
  if (scan.torn) text += fmt::format("  torn tail {} bytes", scan.file_size - scan.valid_end);
  return text;
}

// The watermark, or nullopt when the file is missing; damaged: true when it exists but is bad.
std::optional<wal::Watermark> read_watermark(const std::filesystem::path& dir, bool& damaged) {
  damaged = false;
  auto bytes = core::read_whole_file(dir / wal::kWatermarkFile);
  if (!bytes) {
    damaged = bytes.error().code != "not_found";
    return std::nullopt;
  }
  auto watermark = wal::decode_watermark(*bytes);
  damaged = !watermark;
  return watermark;
}

bool readable_directory(const std::filesystem::path& dir, std::ostream& out) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return true;
  out << fmt::format("error: {} is not a readable directory\n", dir.string());
  return false;
}

}  // namespace

int wal_inspect(const std::filesystem::path& dir, std::ostream& out) {
  if (!readable_directory(dir, out)) return 2;
  bool damaged = false;
  const auto watermark = read_watermark(dir, damaged);
  const std::uint64_t acked = watermark ? watermark->id : 0;
  out << fmt::format("WAL {}\nacked watermark: {}\n", dir.string(),
                     damaged     ? "DAMAGED"
                     : watermark ? fmt::format("id {} (tag {})", watermark->id, watermark->tag)
                                 : "none");
  std::uint64_t bytes = 0, records = 0, unacked = 0;
  const auto segments = scan_all(dir);
  for (const auto& [file, scan] : segments) {
    if (!scan) {
      out << fmt::format("{}  UNREADABLE: {}\n", file.path.filename().string(),
                         scan.error().message);
      continue;
    }
    out << fmt::format("{}  {}\n", file.path.filename().string(), describe(*scan));
    bytes += scan->file_size;
    records += scan->records.size();
    for (const auto& record : scan->records)
      unacked += record.id > acked ? 1 : 0;
  }
  out << fmt::format("{} segments, {}, {} records, {} unacked\n", segments.size(),
                     core::format_byte_size({bytes}), records, unacked);
  return 0;
}

int wal_verify(const std::filesystem::path& dir, std::ostream& out) {
  if (!readable_directory(dir, out)) return 2;
  int problems = 0;
  bool damaged = false;
  read_watermark(dir, damaged);
  if (damaged) {
    out << fmt::format("DAMAGED: the watermark file {}\n", wal::kWatermarkFile);
    ++problems;
  }
  std::uint64_t records = 0;
  const auto segments = scan_all(dir);
  for (const auto& [file, scan] : segments) {
    const auto name = file.path.filename().string();
    if (!scan) {
      out << fmt::format("UNREADABLE: {}: {}\n", name, scan.error().message);
      ++problems;
      continue;
    }
    records += scan->records.size();
    if (scan->bad_magic) {
      out << fmt::format("DAMAGED: {} is not a WAL segment (bad magic)\n", name);
      ++problems;
    }
    for (const auto& range : scan->damaged) {
      out << fmt::format("DAMAGED: {} bytes at offset {} of {}\n", range.size, range.offset, name);
      ++problems;
    }
    if (scan->torn) {
      out << fmt::format("note: {} ends in a torn record ({} bytes), as a crash leaves it\n", name,
                         scan->file_size - scan->valid_end);
    }
  }
  if (problems > 0) {
    out << fmt::format("CORRUPT: {} problems; {} valid records\n", problems, records);
    return 1;
  }
  out << fmt::format("OK: {} records in {} segments\n", records, segments.size());
  return 0;
}

}  // namespace sentinel::agent
