#include "postgres/params.hpp"

#include <bit>

#include <boost/endian/conversion.hpp>

namespace sentinel::store::postgres {
namespace {

template <class T>
std::string big_endian(T value) {
  const T wire = boost::endian::native_to_big(value);
  return std::string(reinterpret_cast<const char*>(&wire), sizeof wire);
}

}  // namespace

std::vector<const char*> Params::values() const {
  std::vector<const char*> pointers;
  pointers.reserve(values_.size());
  for (const auto& value : values_)
    pointers.push_back(value ? value->data() : nullptr);
  return pointers;
}

void Params::push(Oid type, std::optional<std::string> value, int format) {
  types_.push_back(type);
  lengths_.push_back(value ? static_cast<int>(value->size()) : 0);
  formats_.push_back(format);
  values_.push_back(std::move(value));
}

void Params::push_int4(std::int32_t value) {
  push(kInt4, big_endian(value), 1);
}

void Params::push_int8(std::int64_t value) {
  push(kInt8, big_endian(value), 1);
}

void Params::push_float8(double value) {
  push(kFloat8, big_endian(std::bit_cast<std::uint64_t>(value)), 1);
}

}  // namespace sentinel::store::postgres
