#include "postgres/result.hpp"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

#include "sentinel/store/store.hpp"

namespace sentinel::store::postgres {
namespace {

[[noreturn]] void undecodable(std::string_view text, std::string_view type) {
  throw StoreError("database", fmt::format("cannot read \"{}\" as {}", text, type), false);
}

}  // namespace

std::string_view RowReader::next() {
  const int column = column_++;
  return {PQgetvalue(result_, row_, column),
          static_cast<std::size_t>(PQgetlength(result_, row_, column))};
}

std::int64_t RowReader::int64() {
  const auto text = next();
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) undecodable(text, "an integer");
  return value;
}

double RowReader::float8() {
  const auto text = next();
  // strtod, unlike from_chars, reads PostgreSQL's "Infinity" and "NaN"; values end in NUL.
  char* end = nullptr;
  const double value = std::strtod(text.data(), &end);
  if (text.empty() || end != text.data() + text.size()) undecodable(text, "a number");
  return value;
}

std::optional<std::int64_t> RowReader::optional_int64() {
  if (null()) {
    ++column_;
    return std::nullopt;
  }
  return int64();
}

std::int64_t PgResult::affected() const {
  const std::string_view text = PQcmdTuples(result_.get());
  std::int64_t count = 0;
  std::from_chars(text.data(), text.data() + text.size(), count);
  return count;
}

}  // namespace sentinel::store::postgres
