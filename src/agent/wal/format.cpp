#include "agent/wal/format.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "sentinel/core/durable_file.hpp"

#include "agent/wal/crc32c.hpp"

namespace sentinel::agent::wal {
namespace {

// An id far beyond the previous one is garbage, not a record; this keeps resync cheap.
constexpr std::uint64_t kMaxIdJump = 1ULL << 40;

void put_le(std::string& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out += static_cast<char>((value >> (8 * i)) & 0xff);
}

std::uint64_t get_le(std::string_view in, std::size_t offset, int bytes) {
  std::uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>(in[offset + static_cast<std::size_t>(i)]);
  return value;
}

bool plausible(const RecordHeader& header, std::uint64_t min_id) {
  return header.length <= kMaxPayload && header.id >= min_id && header.id - min_id < kMaxIdJump;
}

// The complete, valid record at `offset` whose id is at least `min_id`, if there is one.
std::optional<RecordInfo> record_at(std::string_view content, std::uint64_t offset,
                                    std::uint64_t min_id) {
  if (content.size() - offset < kHeaderSize) return std::nullopt;
  const auto header_bytes = content.substr(offset, kHeaderSize);
  const auto header = decode_header(header_bytes);
  if (!plausible(header, min_id) || content.size() - offset - kHeaderSize < header.length) {
    return std::nullopt;
  }
  if (!crc_matches(header_bytes, content.substr(offset + kHeaderSize, header.length))) {
    return std::nullopt;
  }
  return RecordInfo{header.id, header.time_ms, header.tag, offset, header.length};
}

// The next offset after `from` where a valid record starts.
std::optional<std::uint64_t> resync(std::string_view content, std::uint64_t from,
                                    std::uint64_t min_id) {
  for (std::uint64_t offset = from; offset + kHeaderSize <= content.size(); ++offset) {
    if (record_at(content, offset, min_id)) return offset;
  }
  return std::nullopt;
}

// A crash leaves the last record cut short (a plausible header whose record runs past the end
// of the file) or, on file systems with delayed allocation, a tail of zeros.
bool torn_tail(std::string_view tail, std::uint64_t min_id) {
  if (std::all_of(tail.begin(), tail.end(), [](char c) { return c == 0; })) return true;
  if (tail.size() < kHeaderSize) return true;
  const auto header = decode_header(tail);
  return plausible(header, min_id) && tail.size() - kHeaderSize < header.length;
}

}  // namespace

std::string encode_header(std::uint64_t id, std::int64_t time_ms, std::uint64_t tag,
                          std::string_view payload) {
  std::string header;
  header.reserve(kHeaderSize);
  put_le(header, 0, 4);
  put_le(header, payload.size(), 4);
  put_le(header, id, 8);
  put_le(header, static_cast<std::uint64_t>(time_ms), 8);
  put_le(header, tag, 8);
  const std::uint32_t crc = crc32c(payload, crc32c(std::string_view(header).substr(4)));
  for (int i = 0; i < 4; ++i)
    header[static_cast<std::size_t>(i)] = static_cast<char>((crc >> (8 * i)) & 0xff);
  return header;
}

RecordHeader decode_header(std::string_view bytes) {
  return RecordHeader{static_cast<std::uint32_t>(get_le(bytes, 0, 4)),
                      static_cast<std::uint32_t>(get_le(bytes, 4, 4)), get_le(bytes, 8, 8),
                      static_cast<std::int64_t>(get_le(bytes, 16, 8)), get_le(bytes, 24, 8)};
}

bool crc_matches(std::string_view header, std::string_view payload) {
  return decode_header(header).crc == crc32c(payload, crc32c(header.substr(4, kHeaderSize - 4)));
}

namespace {
constexpr std::string_view kWatermarkMagic = "SNTACK1\n";
constexpr std::size_t kWatermarkSize = kWatermarkMagic.size() + 8 + 8 + 4;
}  // namespace

std::string encode_watermark(const Watermark& watermark) {
  std::string out(kWatermarkMagic);
  put_le(out, watermark.id, 8);
  put_le(out, watermark.tag, 8);
  put_le(out, crc32c(out), 4);
  return out;
}

std::optional<Watermark> decode_watermark(std::string_view bytes) {
  if (bytes.size() != kWatermarkSize || !bytes.starts_with(kWatermarkMagic)) return std::nullopt;
  if (get_le(bytes, kWatermarkSize - 4, 4) != crc32c(bytes.substr(0, kWatermarkSize - 4))) {
    return std::nullopt;
  }
  return Watermark{get_le(bytes, kWatermarkMagic.size(), 8),
                   get_le(bytes, kWatermarkMagic.size() + 8, 8)};
}

std::string segment_file_name(std::uint64_t first_id) {
  return fmt::format("{:020}.wal", first_id);
}

std::optional<std::uint64_t> parse_segment_file_name(const std::string& name) {
  constexpr std::size_t kDigits = 20;
  if (name.size() != kDigits + 4 || !name.ends_with(".wal")) return std::nullopt;
  std::uint64_t id = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + kDigits, id);
  if (ec != std::errc() || end != name.data() + kDigits) return std::nullopt;
  return id;
}

std::vector<SegmentFile> list_segment_files(const std::filesystem::path& dir) {
  std::vector<SegmentFile> segments;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (auto first_id = parse_segment_file_name(it->path().filename().string())) {
      segments.push_back({*first_id, it->path()});
    }
  }
  std::sort(segments.begin(), segments.end());
  return segments;
}

SegmentScan scan_segment(std::string_view content, std::uint64_t first_id) {
  SegmentScan scan;
  scan.file_size = content.size();
  if (content.size() < kSegmentMagic.size() && kSegmentMagic.starts_with(content)) {
    scan.torn = !content.empty();  // created, but the magic was not written completely
    return scan;
  }
  if (!content.starts_with(kSegmentMagic)) {
    scan.bad_magic = true;
    return scan;
  }
  std::uint64_t offset = kSegmentMagic.size();
  std::uint64_t min_id = first_id;
  scan.valid_end = offset;
  while (offset < content.size()) {
    if (auto record = record_at(content, offset, min_id)) {
      scan.records.push_back(*record);
      offset += kHeaderSize + record->length;
      min_id = record->id + 1;
      scan.valid_end = offset;
    } else if (auto next = resync(content, offset + 1, min_id)) {
      scan.damaged.push_back({offset, *next - offset});
      offset = *next;
    } else {
      scan.torn = torn_tail(content.substr(offset), min_id);
      if (!scan.torn) scan.damaged.push_back({offset, content.size() - offset});
      break;
    }
  }
  return scan;
}

core::Result<SegmentScan> scan_segment_file(const std::filesystem::path& path,
                                            std::uint64_t first_id) {
  auto content = core::read_whole_file(path);
  if (!content) return content.error();
  return scan_segment(*content, first_id);
}

}  // namespace sentinel::agent::wal
