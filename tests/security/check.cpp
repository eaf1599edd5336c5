#include "check.hpp"

#include <fmt/format.h>

#include "support/sim_agent.hpp"

namespace sentinel::security {

void expect(bool condition, const std::string& what) {
  if (!condition) throw CheckFailed(what);
}

void expect_refused(const test::HttpReply& reply, int status, std::string_view code,
                    std::string_view what) {
  const bool matches = reply.status == status && (code.empty() || test::error_code(reply) == code);
  expect(matches, fmt::format("{}: expected {} {}, got {}", what, status, code, describe(reply)));
}

std::string describe(const test::HttpReply& reply) {
  constexpr std::size_t kShown = 300;
  auto body = reply.body.substr(0, kShown);
  if (reply.body.size() > kShown) body += "...";
  return fmt::format("status {}, body {}", reply.status, body);
}

}  // namespace sentinel::security
