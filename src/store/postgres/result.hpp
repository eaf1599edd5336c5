#pragma once
// Owning wrapper of a PGresult, and a reader that walks one row's columns in order so that
// decoding code names no column numbers. Results are in text format.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <libpq-fe.h>

namespace sentinel::store::postgres {

class RowReader {
 public:
  RowReader(const PGresult* result, int row) : result_(result), row_(row) {}

  bool null() const { return PQgetisnull(result_, row_, column_) != 0; }
  std::string text() { return std::string(next()); }
  std::int64_t int64();
  std::int32_t int32() { return static_cast<std::int32_t>(int64()); }
  double float8();
  bool boolean() { return next() == "t"; }
  std::optional<std::int64_t> optional_int64();

 private:
  std::string_view next();

  const PGresult* result_;
  int row_;
  int column_ = 0;
};

class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result) {}

  int rows() const { return PQntuples(result_.get()); }
  RowReader row(int index) const { return RowReader(result_.get(), index); }
  // Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected() const;
  const PGresult* get() const { return result_.get(); }

 private:
  struct Clear {
    void operator()(PGresult* result) const { PQclear(result); }
  };
  std::unique_ptr<PGresult, Clear> result_;
};

}  // namespace sentinel::store::postgres
