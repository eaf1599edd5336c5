#pragma once
// The vocabulary of the security suite: a numbered check is a function that throws CheckFailed
// (or any exception) when the product does not behave; the registry (checks.cpp) lists them in
// the order the suite runs them and docs/security.md documents them under the same numbers.

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "support/http_client.hpp"

namespace sentinel::security {

class Lab;

class CheckFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Check {
  std::string id;     // "S01"
  std::string title;  // "missing admin token -> 401"
  std::function<void(Lab&)> run;
};

// Every check, in order.
const std::vector<Check>& security_checks();

// Throws CheckFailed(`what`) unless `condition` holds.
void expect(bool condition, const std::string& what);
// The reply is `status` with the JSON error `code` (any code when `code` is empty).
void expect_refused(const test::HttpReply& reply, int status, std::string_view code,
                    std::string_view what);
// "status 401, body {...}" (the body cut short), for failure messages.
std::string describe(const test::HttpReply& reply);

}  // namespace sentinel::security
