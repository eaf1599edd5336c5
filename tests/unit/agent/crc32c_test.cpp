#include "agent/wal/crc32c.hpp"

#include <catch2/catch.hpp>

using sentinel::agent::wal::crc32c;
using sentinel::agent::wal::crc32c_portable;

TEST_CASE("CRC-32C matches the standard check value and known vectors") {
  // The check value of CRC-32C (RFC 3720, "123456789").
  CHECK(crc32c("123456789") == 0xE3069283);
  CHECK(crc32c_portable("123456789") == 0xE3069283);
  CHECK(crc32c("") == 0);
  // RFC 3720 B.4: 32 bytes of zeros and 32 bytes of 0xff.
  CHECK(crc32c(std::string(32, '\0')) == 0x8A9136AA);
  CHECK(crc32c(std::string(32, '\xff')) == 0x62A8AB43);
}

TEST_CASE("CRC-32C continues across pieces and both implementations agree") {
  std::string data;
  for (int i = 0; i < 1000; ++i)
    data += static_cast<char>((i * 131) & 0xff);
  for (std::size_t length : {0UL, 1UL, 7UL, 8UL, 9UL, 63UL, 1000UL}) {
    const auto piece = std::string_view(data).substr(0, length);
    CHECK(crc32c(piece) == crc32c_portable(piece));
    for (std::size_t split = 0; split <= length; split += 3) {
      CHECK(crc32c(piece.substr(split), crc32c(piece.substr(0, split))) == crc32c(piece));
    }
  }
}
