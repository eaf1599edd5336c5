#pragma once
// Rows in PostgreSQL's binary COPY format, for bulk inserts with
// `COPY table (columns) FROM STDIN (FORMAT binary)` and PgConnection::copy_from(). Binary COPY
// skips the server's text parsing, the bulk of the cost of a narrow row.
//
// The format: a signature, flags and a header extension; then per row the number of fields and
// each field as its length and its bytes in network order (length -1 for NULL); then -1. Each
// value must be written with the exact type of its column (int8 for bigint, float8 for double
// precision, ...): the server does not convert binary values.

#include <cstdint>
#include <string>
#include <string_view>

namespace sentinel::store::postgres {

class BinaryCopyWriter {
 public:
  BinaryCopyWriter();

  // Starts a row of `fields` values; the row before it must be complete.
  void begin_row(std::int16_t fields);
  void null();
  void boolean(bool value);
  void int4(std::int32_t value);
  void int8(std::int64_t value);
  void float8(double value);
  void text(std::string_view value);  // text, varchar, and bytea alike
  void jsonb(std::string_view json);
  void timestamptz(std::int64_t unix_ms);

  // The trailer appended; the writer is spent afterwards.
  std::string finish();
  std::size_t rows() const { return rows_; }

 private:
  template <class T>
  void put(T value);
  void field(std::int32_t length);

  std::string buffer_;
  std::size_t rows_ = 0;
  std::int16_t fields_left_ = 0;
};

}  // namespace sentinel::store::postgres
