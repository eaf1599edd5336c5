// /api/v1/tokens (admin) and /api/v1/bootstrap-tokens (agent-enroller; admin too).

#include <fmt/format.h>

#include "sentinel/core/unix_time.hpp"
#include "sentinel/http/json.hpp"
#include "sentinel/store/session.hpp"

#include "admin.hpp"

namespace sentinel::gateway {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

json optional_time(const std::optional<std::int64_t>& at) {
  return at ? json(*at) : json(nullptr);
}

json api_token_json(const store::ApiToken& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"role", t.role},
          {"created_at", t.created_at},
          {"expires_at", optional_time(t.expires_at)},
          {"revoked_at", optional_time(t.revoked_at)},
          {"last_used_at", optional_time(t.last_used_at)}};
}

json bootstrap_json(const store::BootstrapToken& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"uses_left", t.uses_left},
          {"created_at", t.created_at},
          {"expires_at", t.expires_at},
          {"revoked_at", optional_time(t.revoked_at)}};
}

http::Response failure(const core::Error& error) {
  if (error.code == "invalid_argument") {
    return http::error_response(400, "invalid_argument", error.message);
  }
  return unavailable(fmt::format("the store cannot answer now: {}", error.message),
                     std::chrono::seconds(1));
}

// Reads {"name": string, "ttl": duration string, ...}: the ttl, or the 400 to send.
std::variant<core::Duration, http::Response> read_ttl(const json& body, core::Duration fallback) {
  if (!body.contains("ttl")) return fallback;
  const auto& ttl = body.at("ttl");
  auto parsed = ttl.is_string() ? core::parse_duration(ttl.get<std::string>()) : std::nullopt;
  if (!parsed || parsed->count() <= 0) {
    return http::error_response(400, "invalid_argument", "ttl must be a duration such as 1h");
  }
  return *parsed;
}

std::string string_field(const json& body, const char* key) {
  return body.contains(key) && body.at(key).is_string() ? body.at(key).get<std::string>() : "";
}

asio::awaitable<http::Response> create_api_token(Services& services, http::Request& request) {
  auto body = http::parse_json_body(request);
  if (auto* refused = std::get_if<http::Response>(&body)) co_return std::move(*refused);
  const auto& value = std::get<json>(body);
  auto ttl = read_ttl(value, core::Duration{0});
  if (auto* refused = std::get_if<http::Response>(&ttl)) co_return std::move(*refused);
  auto name = string_field(value, "name");
  auto role = string_field(value, "role");
  auto minted = co_await mint_api_token(services.store, name, role, std::get<core::Duration>(ttl));
  if (!minted) co_return failure(minted.error());
  auto answer = api_token_json(minted->record);
  answer["token"] = minted->token;
  co_return http::json_response(201, answer);
}

asio::awaitable<http::Response> list_api_tokens(Services& services, http::Request&) {
  auto tokens = co_await services.store.run(
      [](store::Session& session) { return session.credentials().list_api_tokens(); },
      store::Access::kRead);
  if (!tokens) co_return failure(tokens.error());
  json list = json::array();
  for (const auto& token : *tokens)
    list.push_back(api_token_json(token));
  co_return http::json_response(200, {{"tokens", list}});
}

asio::awaitable<http::Response> create_bootstrap_token(Services& services, http::Request& request) {
  auto body = http::parse_json_body(request);
  if (auto* refused = std::get_if<http::Response>(&body)) co_return std::move(*refused);
  const auto& value = std::get<json>(body);
  auto ttl = read_ttl(value, std::chrono::hours(1));
  if (auto* refused = std::get_if<http::Response>(&ttl)) co_return std::move(*refused);
  std::int64_t uses = 1;
  if (value.contains("uses")) {
    if (!value.at("uses").is_number_integer()) {
      co_return http::error_response(400, "invalid_argument", "uses must be an integer");
    }
    uses = value.at("uses").get<std::int64_t>();
  }
  auto name = string_field(value, "name");
  auto minted =
      co_await mint_bootstrap_token(services.store, name, uses, std::get<core::Duration>(ttl));
  if (!minted) co_return failure(minted.error());
  auto answer = bootstrap_json(minted->record);
  answer["token"] = minted->token;
  co_return http::json_response(201, answer);
}

asio::awaitable<http::Response> list_bootstrap_tokens(Services& services, http::Request&) {
  auto tokens = co_await services.store.run(
      [](store::Session& session) { return session.credentials().list_bootstrap_tokens(); },
      store::Access::kRead);
  if (!tokens) co_return failure(tokens.error());
  json list = json::array();
  for (const auto& token : *tokens)
    list.push_back(bootstrap_json(token));
  co_return http::json_response(200, {{"bootstrap_tokens", list}});
}

// DELETE of either kind of token: revokes it (kept, for the record).
template <bool kBootstrap>
asio::awaitable<http::Response> revoke(Services& services, http::Request& request, Auth* auth) {
  const std::string id(request.param("id"));
  const auto now = core::unix_ms();
  auto revoked = co_await services.store.run([&](store::Session& session) {
    return kBootstrap ? session.credentials().revoke_bootstrap_token(id, now)
                      : session.credentials().revoke_api_token(id, now);
  });
  if (!revoked) co_return failure(revoked.error());
  if (!*revoked) co_return http::error_response(404, "not_found", fmt::format("no token {}", id));
  if (auth) auth->invalidate();
  co_return http::Response{204, {}, {}, {}};
}

}  // namespace

void add_token_routes(http::Router& router, Services& services, Auth& auth) {
  using http::Method;
  router.add(Method::kPost, "/api/v1/tokens", route_to(services, create_api_token),
             {.role = "admin", .summary = "Create an API token: {name, role, ttl}; shown once."});
  router.add(Method::kGet, "/api/v1/tokens", route_to(services, list_api_tokens),
             {.role = "admin", .summary = "API tokens (never their secrets)."});
  router.add(Method::kDelete, "/api/v1/tokens/{id}",
             [&services, &auth](http::Request& request) {
               return revoke<false>(services, request, &auth);
             },
             {.role = "admin", .summary = "Revoke an API token."});
  router.add(Method::kPost, "/api/v1/bootstrap-tokens", route_to(services, create_bootstrap_token),
             {.role = "agent-enroller",
              .summary = "Create a bootstrap token: {name, ttl, uses}; shown once."});
  router.add(Method::kGet, "/api/v1/bootstrap-tokens", route_to(services, list_bootstrap_tokens),
             {.role = "agent-enroller", .summary = "Bootstrap tokens (never their secrets)."});
  router.add(
      Method::kDelete, "/api/v1/bootstrap-tokens/{id}",
      [&services](http::Request& request) { return revoke<true>(services, request, nullptr); },
      {.role = "agent-enroller", .summary = "Revoke a bootstrap token."});
}

}  // namespace sentinel::gateway
