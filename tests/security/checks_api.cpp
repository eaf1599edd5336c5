// S01-S07: bearer tokens on the admin and query API.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "checks.hpp"
#include "lab.hpp"
#include "support/temp_dir.hpp"

namespace sentinel::security {
namespace {

using nlohmann::json;

constexpr const char* kAdminRoute = "/api/v1/tokens";

// The number of API tokens the store holds, read as admin.
std::size_t token_count(Deployment& gateway) {
  const auto reply = gateway.api("GET", kAdminRoute, gateway.admin_token());
  expect(reply.status == 200, "listing tokens as admin: " + describe(reply));
  return json::parse(reply.body).at("tokens").size();
}

// An OpenAPI path with every {parameter} filled in.
std::string concrete(std::string path) {
  for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
    path.replace(open, path.find('}', open) - open + 1, "none");
  }
  return path;
}

std::string upper(std::string text) {
  for (auto& c : text)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

void missing_admin_token(Lab& lab) {
  const auto reply = lab.main().api("GET", kAdminRoute, "");
  expect_refused(reply, 401, "missing_token", "GET /api/v1/tokens without a token");
  expect(reply.header("www-authenticate") == "Bearer", "no WWW-Authenticate: Bearer header");
  const auto basic =
      lab.main().request("GET", kAdminRoute, {}, {{"Authorization", "Basic YWRtaW46YWRtaW4="}});
  expect_refused(basic, 401, "missing_token", "a Basic credential instead of a Bearer token");
}

void unknown_admin_token(Lab& lab) {
  auto& gateway = lab.main();
  // Well-formed, but never issued; and the real token with one character changed.
  expect_refused(gateway.api("GET", kAdminRoute, "stk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                 401, "unknown_token", "a token this server never issued");
  auto altered = gateway.admin_token();
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  expect_refused(gateway.api("GET", kAdminRoute, altered), 401, "unknown_token",
                 "the admin token with its last character changed");
}

void expired_admin_token(Lab& lab) {
  auto& gateway = lab.main();
  const auto token = gateway.api_token("admin", "1s");
  test::HttpReply reply;
  const bool expired = test::eventually(
      [&] {
        reply = gateway.api("GET", kAdminRoute, token.token);
        return reply.status != 200;
      },
      std::chrono::seconds(10));
  expect(expired, "an admin token with a ttl of 1s still works after 10 s");
  expect_refused(reply, 401, "expired_token", "an expired admin token");
}

void revoked_admin_token(Lab& lab) {
  auto& gateway = lab.main();
  const auto token = gateway.api_token("admin");
  const auto before = gateway.api("GET", kAdminRoute, token.token);
  expect(before.status == 200, "a fresh admin token is refused: " + describe(before));
  const auto revoked = gateway.api("DELETE", "/api/v1/tokens/" + token.id, gateway.admin_token());
  expect(revoked.status == 204, "revoking the token: " + describe(revoked));
  expect_refused(gateway.api("GET", kAdminRoute, token.token), 401, "revoked_token",
                 "a revoked admin token");
}

void wrong_role_token(Lab& lab) {
  auto& gateway = lab.main();
  const auto viewer = gateway.api_token("viewer");
  const auto enroller = gateway.api_token("agent-enroller");
  const auto tokens_before = token_count(gateway);
  expect_refused(
      gateway.api("POST", kAdminRoute, viewer.token, {{"name", "escalated"}, {"role", "admin"}}),
      403, "forbidden", "a viewer token minting an admin token");
  expect_refused(gateway.api("DELETE", "/api/v1/tokens/" + viewer.id, enroller.token), 403,
                 "forbidden", "an agent-enroller token revoking a token");
  expect_refused(gateway.api("GET", "/api/v1/agents", enroller.token), 403, "forbidden",
                 "an agent-enroller token on a viewer route");
  expect(token_count(gateway) == tokens_before, "a refused request changed the tokens");
  expect(gateway.api("GET", "/api/v1/agents", viewer.token).status == 200,
         "the viewer token does not work where it should");
}

void every_route_needs_its_role(Lab& lab) {
  auto& gateway = lab.main();
  const auto viewer = gateway.api_token("viewer");
  const auto document = gateway.api("GET", "/api/v1/openapi.json", viewer.token);
  expect(document.status == 200, "GET /api/v1/openapi.json: " + describe(document));
  int protected_routes = 0;
  const auto paths = json::parse(document.body).at("paths");
  for (const auto& [path, operations] : paths.items()) {
    for (const auto& [method, operation] : operations.items()) {
      if (!operation.contains("x-sentinel-role")) continue;
      ++protected_routes;
      const auto target = concrete(path);
      const auto what = fmt::format("{} {}", upper(method), target);
      expect_refused(gateway.api(upper(method), target, ""), 401, "missing_token",
                     what + " without a token");
      if (operation.at("x-sentinel-role") == "admin" ||
          operation.at("x-sentinel-role") == "agent-enroller") {
        expect_refused(gateway.api(upper(method), target, viewer.token), 403, "forbidden",
                       what + " with a viewer token");
      }
    }
  }
  // The gateway, the worker's alerting and notifier API and the query API, at the least.
  expect(protected_routes >= 30,
         fmt::format("the OpenAPI document lists only {} protected routes", protected_routes));
}

void worker_api_needs_token(Lab& lab) {
  auto& worker = lab.worker();
  for (const char* route : {"/api/v1/notifiers", "/api/v1/rules", "/api/v1/alerts",
                            "/api/v1/silences", "/api/v1/notifications/dlq"}) {
    expect_refused(worker.api("GET", route, ""), 401, "missing_token",
                   fmt::format("--role=worker: GET {} without a token", route));
    const auto allowed = worker.api("GET", route, worker.admin_token());
    expect(allowed.status == 200,
           fmt::format("--role=worker: GET {} with an admin token: {}", route, describe(allowed)));
  }
  expect_refused(worker.api("POST", "/api/v1/rules", "", {{"name", "injected"}}), 401,
                 "missing_token", "--role=worker: POST /api/v1/rules without a token");
}

}  // namespace sentinel::security
