#pragma once
// Query parameters for PQexecParams: values are bound, never spliced into SQL. Strings go as
// text (the server infers their type from the statement); numbers and booleans go in binary
// with their type, so `$1 IS NULL` and comparisons need no casts; an empty optional is NULL.

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <libpq-fe.h>

namespace sentinel::store::postgres {

class Params {
 public:
  template <class T>
  Params& add(const T& value) {
    if constexpr (std::is_same_v<T, std::nullopt_t>) {
      push(0, std::nullopt, 0);
    } else if constexpr (requires { value.has_value(); }) {
      if (value.has_value()) return add(*value);
      push(oid_of<typename T::value_type>(), std::nullopt, 0);
    } else if constexpr (std::is_same_v<T, bool>) {
      push(kBool, std::string(1, value ? '\1' : '\0'), 1);
    } else if constexpr (std::is_floating_point_v<T>) {
      push_float8(static_cast<double>(value));
    } else if constexpr (std::is_integral_v<T> && sizeof(T) <= 4) {
      push_int4(static_cast<std::int32_t>(value));
    } else if constexpr (std::is_integral_v<T>) {
      push_int8(static_cast<std::int64_t>(value));
    } else {
      push(0, std::string(std::string_view(value)), 0);
    }
    return *this;
  }

  int size() const { return static_cast<int>(values_.size()); }
  const Oid* types() const { return types_.data(); }
  const int* formats() const { return formats_.data(); }
  const int* lengths() const { return lengths_.data(); }
  // Pointers into this object: valid until the next add().
  std::vector<const char*> values() const;

 private:
  static constexpr Oid kBool = 16;
  static constexpr Oid kInt8 = 20;
  static constexpr Oid kInt4 = 23;
  static constexpr Oid kFloat8 = 701;

  template <class T>
  static constexpr Oid oid_of() {
    if constexpr (std::is_same_v<T, bool>) return kBool;
    if constexpr (std::is_floating_point_v<T>) return kFloat8;
    if constexpr (std::is_integral_v<T>) return sizeof(T) <= 4 ? kInt4 : kInt8;
    return 0;
  }

  void push(Oid type, std::optional<std::string> value, int format);
  void push_int4(std::int32_t value);
  void push_int8(std::int64_t value);
  void push_float8(double value);

  std::vector<Oid> types_;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

}  // namespace sentinel::store::postgres
