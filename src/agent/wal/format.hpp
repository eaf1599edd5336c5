#pragma once
// The on-disk format of the WAL (src/agent/README.md has the picture).
//
// A segment file is named after the id of its first record, `<20 digits>.wal`, and holds an
// 8-byte magic followed by records. A record is a 32-byte header and the payload, all integers
// little-endian:
//
//   u32 crc      CRC-32C over bytes 4..31 of the header and then the payload
//   u32 length   payload bytes
//   u64 id       the batch id: strictly increasing across the whole WAL
//   i64 time_ms  when the batch was written (Unix milliseconds), for the age cap
//   u64 tag      the caller's number for the record (the batch's last sample seq)
//
// Next to the segments: `ACKED`, the acked watermark (magic "SNTACK1\n", u64 id, u64 tag, u32
// CRC-32C of the bytes before it), replaced atomically; `LOCK`, held with flock() by the owner.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/core/result.hpp"

namespace sentinel::agent::wal {

inline constexpr std::string_view kSegmentMagic = "SNTWAL1\n";
inline constexpr std::size_t kHeaderSize = 32;
inline constexpr std::uint32_t kMaxPayload = 64 * 1024 * 1024;
inline constexpr std::string_view kWatermarkFile = "ACKED";
inline constexpr std::string_view kLockFile = "LOCK";

struct RecordHeader {
  std::uint32_t crc = 0;
  std::uint32_t length = 0;
  std::uint64_t id = 0;
  std::int64_t time_ms = 0;
  std::uint64_t tag = 0;
};

// The header bytes, CRC included, of a record holding `payload`.
std::string encode_header(std::uint64_t id, std::int64_t time_ms, std::uint64_t tag,
                          std::string_view payload);
RecordHeader decode_header(std::string_view bytes);  // `bytes` holds at least kHeaderSize
bool crc_matches(std::string_view header, std::string_view payload);

std::string segment_file_name(std::uint64_t first_id);
// The first id a segment name stands for; nullopt for a file that is not a segment.
std::optional<std::uint64_t> parse_segment_file_name(const std::string& name);

// Every record up to `id` is done with; `tag` is the tag of record `id`.
struct Watermark {
  std::uint64_t id = 0;
  std::uint64_t tag = 0;
};
std::string encode_watermark(const Watermark& watermark);
std::optional<Watermark> decode_watermark(std::string_view bytes);  // nullopt when damaged

struct SegmentFile {
  std::uint64_t first_id = 0;
  std::filesystem::path path;
  auto operator<=>(const SegmentFile&) const = default;
};
// The segment files in `dir`, oldest first; other files are not listed.
std::vector<SegmentFile> list_segment_files(const std::filesystem::path& dir);

// Where a valid record lies in a segment.
struct RecordInfo {
  std::uint64_t id = 0;
  std::int64_t time_ms = 0;
  std::uint64_t tag = 0;
  std::uint64_t offset = 0;  // of the header
  std::uint32_t length = 0;  // of the payload
};

// Bytes that are not a valid record, between valid ones or at the end.
struct DamagedRange {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

// What reading a whole segment found. Nothing is changed on disk.
struct SegmentScan {
  std::uint64_t file_size = 0;
  bool bad_magic = false;  // not a WAL segment at all (or its first bytes are damaged)
  std::vector<RecordInfo> records;
  // Complete records whose CRC failed, or garbage, followed by valid records: skipped.
  std::vector<DamagedRange> damaged;
  // The end of the last valid record: appending continues here. Bytes after it are a torn tail
  // (a record cut short by a crash: `torn` is true) or damage at the end (added to `damaged`).
  std::uint64_t valid_end = 0;
  bool torn = false;
};

// `first_id` is the segment's name: records must have ids from it on, increasing.
SegmentScan scan_segment(std::string_view content, std::uint64_t first_id);
core::Result<SegmentScan> scan_segment_file(const std::filesystem::path& path,
                                            std::uint64_t first_id);

}  // namespace sentinel::agent::wal
