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
// How long an agent may repeat an enrolment whose answer it lost: long enough for a host that
// went down mid-enrolment to come back, bounded because the enrolment id then answers a secret.
constexpr std::int64_t kRepeatWindowMs = 24 * 3600 * 1000;

// Empty (an agent that cannot repeat its enrolment), or the agent's 128 random bits or more.
bool valid_enrollment_id(std::string_view id) {
  return id.empty() || (id.size() >= 16 && id.size() <= 64 && core::from_base64url(id));
}

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

http::Response store_unavailable(Services& services) {
  services.metrics.enrolments.with({"unavailable"}).inc();
  return unavailable("enrolment cannot be stored now", services.config.retry_after);
}

http::Response enrollment_answer(const std::string& agent_id, const std::string& key_id,
                                 const std::string& secret) {
  v1::EnrollResponse response;
  response.set_agent_id(agent_id);
  response.set_key_id(key_id);
  response.set_secret(secret);
  return protobuf_response(response);
}

// The answer to an enrolment the agent repeats because it lost the first answer: the same agent
// and its current key, as long as the agent has never been seen (once it has pushed or sent a
// heartbeat, it holds its identity, and the id must not hand out the key again). nullopt: no
// enrolment was made with this id, so this is a first attempt.
boost::asio::awaitable<std::optional<http::Response>> repeat_enrollment(Services& services,
                                                                        const std::string& id_hash,
                                                                        std::int64_t now) {
  auto recorded = co_await services.store.run(
      [&](store::Session& session) -> std::optional<store::Agent> {
        auto agent_id = session.credentials().enrolled_agent(id_hash, now);
        if (!agent_id) return std::nullopt;
        return session.agents().get(*agent_id);
      },
      store::Access::kRead);
  if (!recorded) co_return store_unavailable(services);
  if (!*recorded) co_return std::nullopt;
  const auto& agent = **recorded;
  auto keys = co_await services.keys.get(agent.id);
  if (!keys) co_return store_unavailable(services);
  if (agent.last_seen || keys->current() == nullptr) {
    co_return refuse(services, 409, "enrollment_completed",
                     fmt::format("the enrolment with this enrollment_id made agent {}, which has "
                                 "been seen since; a new enrolment needs a new enrollment_id",
                                 agent.id));
  }
  services.metrics.enrolments.with({"repeated"}).inc();
  co_return enrollment_answer(agent.id, keys->current()->key_id, keys->current()->secret);
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
  if (!valid_enrollment_id(enroll.enrollment_id())) {
    co_return refuse(services, 400, "malformed_request",
                     "enrollment_id must be empty or 16 to 64 base64url characters");
  }
  const auto now = core::unix_ms();
  const auto id_hash = enroll.enrollment_id().empty() ? "" : token_hash(enroll.enrollment_id());
  if (!id_hash.empty()) {
    if (auto repeated = co_await repeat_enrollment(services, id_hash, now)) {
      co_return std::move(*repeated);
    }
  }
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
      if (!id_hash.empty()) {
        session.credentials().record_enrollment(id_hash, agent.id, now + kRepeatWindowMs);
      }
    });
    return valid;
  });
  if (!enrolled && enrolled.error().code == "agent_exists") {
    co_return refuse(services, 409, "agent_exists", enrolled.error().message);
  }
  if (!enrolled) co_return store_unavailable(services);
  if (!*enrolled) {
    co_return refuse(services, 401, "invalid_bootstrap_token",
                     "the bootstrap token is unknown, expired, revoked or used up");
  }
  services.metrics.enrolments.with({"ok"}).inc();
  services.events.publish("agent_enrolled", {{"agent_id", agent.id}, {"name", agent.name}});
  co_return enrollment_answer(agent.id, key.key_id, secret);
}

}  // namespace sentinel::gateway
