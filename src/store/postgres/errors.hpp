#pragma once
// PostgreSQL errors as StoreErrors: the SQLSTATE decides the stable code and whether retrying
// may help.

#include <string>
#include <string_view>

namespace sentinel::store::postgres {

struct ErrorClass {
  std::string code;  // "unavailable", "conflict", ...: see classify_sqlstate
  bool transient = false;
};

// Transient: connection failures (08xxx), serialization failures (40001), deadlocks (40P01),
// administrator shutdowns (57P01/57P02/57P03) and exhausted resources (53xxx). An empty SQLSTATE
// (no answer from the server at all) counts as a connection failure.
ErrorClass classify_sqlstate(std::string_view sqlstate);

}  // namespace sentinel::store::postgres
