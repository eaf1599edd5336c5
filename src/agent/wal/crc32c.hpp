#pragma once
// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78), the checksum of iSCSI, ext4 and
// LevelDB: stronger than CRC-32 for short records and computed in hardware by SSE4.2.

#include <cstdint>
#include <string_view>

namespace sentinel::agent::wal {

// The CRC of `data`, continuing from `crc` (the CRC of what came before; 0 to start), so that
// crc32c(b, crc32c(a)) == crc32c(a + b). Uses SSE4.2 when the CPU has it.
std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0);

// The table-driven version, always available; exposed so tests can compare both.
std::uint32_t crc32c_portable(std::string_view data, std::uint32_t crc = 0);

}  // namespace sentinel::agent::wal
