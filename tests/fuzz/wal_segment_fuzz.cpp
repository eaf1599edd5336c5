// The WAL reader over arbitrary bytes: whatever a crash or a bad disk left in a segment, the scan
// must neither crash nor report a record outside the file, and the watermark decoder must refuse
// what it cannot read.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/wal/format.hpp"

using namespace sentinel::agent::wal;

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto scan = scan_segment(bytes, 1);
  require(scan.file_size == size);
  require(scan.valid_end <= size);
  std::uint64_t previous_id = 0;
  for (const auto& record : scan.records) {
    require(record.offset + record.length <= scan.valid_end);
    require(record.id >= 1 && record.id > previous_id);
    previous_id = record.id;
  }
  for (const auto& damaged : scan.damaged)
    require(damaged.offset + damaged.size <= size);
  if (const auto watermark = decode_watermark(bytes)) {
    require(decode_watermark(encode_watermark(*watermark)).has_value());
  }
  return 0;
}
