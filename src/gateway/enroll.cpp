#include <fmt/format.h>

#include "sentinel/core/crypto.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/gateway/auth.hpp"
#include "sentinel/store/session.hpp"

#include "body_decoder.hpp"
#include "handlers.hpp"

namespace sentinel::gateway {
namespace {

constexpr std::size_t kSecretSize = 32;

// The host is enrolled under this name already: an agent with the name and the same
// hardware id (a multi-use token enrols several hosts under one name, each once).
bool already_enrolled(store::Session& session, const std::string& name,
                      const std::string& hardware_id) {
  store::PageRequest page;
  do {
    auto found = session.agents().list({.enabled = std::nullopt, .search = name}, page);
    for (const auto& agent : found.agents) {
      if (agent.name == name && agent.hardware_id == hardware_id) return true;
    }
    page.cursor = found.next_cursor;
  } while (!page.cursor.empty());
  return false;
}

http::Response refuse(Services& services, int status, std::string_view code, std::string message) {
  services.metrics.enrolments.with({std::string(code)}).inc();
  return http::error_response(status, code, message);
}

}  // namespace

boost::asio::awaitable<http::Response> handle_enroll(Services& services, http::Request& request) {
  if (auto limited = services.limit(services.ip_limiter, request.client_ip, "ip")) {
    co_return std::move(*limited);
  }
  auto body = decode_body(request, services.config.max_request_bytes.bytes);
  if (auto* refused = std::get_if<http::Response>(&body)) co_return std::move(*refused);
  v1::EnrollRequest enroll;
  if (!enroll.ParseFromString(std::get<std::string>(body))) {
    co_return refuse(services, 400, "malformed_request", "the body is not an EnrollRequest");
  }
  const auto now = core::unix_ms();
  store::Agent agent;
  agent.id = store::new_agent_id();
  agent.hostname = enroll.hostname();
  agent.hardware_id = enroll.hardware_id();
  agent.labels = {enroll.labels().begin(), enroll.labels().end()};
  agent.created_at = now;
  agent.facts.agent_version = enroll.agent_version();
  const auto secret = core::random_bytes(kSecretSize);
  store::AgentKey key{agent.id, new_key_id(), {}, now, std::nullopt};
  key.sealed_secret = services.keys.seal(agent.id, key.key_id, secret);
  const auto hash = token_hash(enroll.bootstrap_token());

  // The token's use, the agent and its key commit together or not at all: a refused enrolment
  // leaves the token as it was.
  auto enrolled = co_await services.store.run([&](store::Session& session) {
    bool valid = false;
    session.transaction([&] {
      auto token = session.credentials().consume_bootstrap_token(hash, now);
      if (!token) return;
      valid = true;
      agent.name = token->name;
      if (already_enrolled(session, agent.name, agent.hardware_id)) {
        throw store::StoreError(
            "agent_exists", fmt::format("this host is enrolled as {} already", agent.name), false);
      }
      session.agents().create(agent);
      session.credentials().add_key(key);
    });
    return valid;
  });
  if (!enrolled && enrolled.error().code == "agent_exists") {
    co_return refuse(services, 409, "agent_exists", enrolled.error().message);
  }
  if (!enrolled) {
    services.metrics.enrolments.with({"unavailable"}).inc();
    co_return unavailable("enrolment cannot be stored now", services.config.retry_after);
  }
  if (!*enrolled) {
    co_return refuse(services, 401, "invalid_bootstrap_token",
                     "the bootstrap token is unknown, expired, revoked or used up");
  }
  services.metrics.enrolments.with({"ok"}).inc();
  services.events.publish("agent_enrolled", {{"agent_id", agent.id}, {"name", agent.name}});
  v1::EnrollResponse response;
  response.set_agent_id(agent.id);
  response.set_key_id(key.key_id);
  response.set_secret(secret);
  co_return protobuf_response(response);
}

}  // namespace sentinel::gateway
