#include "postgres/copy.hpp"

#include <bit>
#include <cassert>

#include <boost/endian/conversion.hpp>

namespace sentinel::store::postgres {
namespace {

constexpr std::string_view kSignature{"PGCOPY\n\377\r\n\0", 11};
constexpr std::uint8_t kJsonbVersion = 1;
// PostgreSQL counts timestamps in microseconds from 2000-01-01 00:00 UTC.
constexpr std::int64_t kPostgresEpochUnixMs = 946'684'800'000;

}  // namespace

BinaryCopyWriter::BinaryCopyWriter() {
  buffer_.append(kSignature);
  put<std::int32_t>(0);  // flags: no OIDs
  put<std::int32_t>(0);  // header extension length
}

void BinaryCopyWriter::begin_row(std::int16_t fields) {
  assert(fields_left_ == 0 && "the previous row has fields missing");
  put(fields);
  fields_left_ = fields;
  ++rows_;
}

void BinaryCopyWriter::null() {
  field(-1);
}

void BinaryCopyWriter::boolean(bool value) {
  field(1);
  put<std::uint8_t>(value ? 1 : 0);
}

void BinaryCopyWriter::int4(std::int32_t value) {
  field(4);
  put(value);
}

void BinaryCopyWriter::int8(std::int64_t value) {
  field(8);
  put(value);
}

void BinaryCopyWriter::float8(double value) {
  field(8);
  put(std::bit_cast<std::uint64_t>(value));
}

void BinaryCopyWriter::text(std::string_view value) {
  field(static_cast<std::int32_t>(value.size()));
  buffer_.append(value);
}

void BinaryCopyWriter::jsonb(std::string_view json) {
  field(static_cast<std::int32_t>(json.size() + 1));
  put(kJsonbVersion);
  buffer_.append(json);
}

void BinaryCopyWriter::timestamptz(std::int64_t unix_ms) {
  int8((unix_ms - kPostgresEpochUnixMs) * 1000);
}

std::string BinaryCopyWriter::finish() {
  assert(fields_left_ == 0 && "the last row has fields missing");
  put<std::int16_t>(-1);
  return std::move(buffer_);
}

template <class T>
void BinaryCopyWriter::put(T value) {
  const T wire = boost::endian::native_to_big(value);
  buffer_.append(reinterpret_cast<const char*>(&wire), sizeof wire);
}

void BinaryCopyWriter::field(std::int32_t length) {
  assert(fields_left_ > 0 && "more fields than begin_row() announced");
  --fields_left_;
  put(length);
}

}  // namespace sentinel::store::postgres
