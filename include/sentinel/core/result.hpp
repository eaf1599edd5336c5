#pragma once
// A value or an error, for expected runtime failures (a database down, a peer gone) that the
// caller must handle and that are not bugs. See shared/STYLE.md for when to use exceptions.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sentinel::core {

struct Error {
  std::string code;        // stable and machine-readable: "unavailable", "conflict", "not_found"
  std::string message;     // for people and logs
  bool transient = false;  // retrying later may succeed
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() {
  return Unit{};
}

}  // namespace sentinel::core
