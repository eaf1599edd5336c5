#include <fmt/format.h>

#include "sentinel/core/unix_time.hpp"
#include "sentinel/gateway/auth.hpp"
#include "sentinel/store/session.hpp"

#include "body_decoder.hpp"
#include "handlers.hpp"

namespace sentinel::gateway {
namespace {

store::HostFacts to_store(const v1::HostFacts& f) {
  store::HostFacts facts;
  facts.os = f.os();
  facts.kernel = f.kernel();
  facts.agent_version = f.agent_version();
  facts.cpu_percent = f.cpu_percent();
  facts.memory_percent = f.memory_percent();
  facts.disk_percent = f.disk_percent();
  facts.load1 = f.load1();
  facts.load5 = f.load5();
  facts.load15 = f.load15();
  facts.uptime_seconds = f.uptime_seconds();
  facts.cpu_count = static_cast<std::int32_t>(f.cpu_count());
  facts.wal_backlog_batches = static_cast<std::int64_t>(f.wal_backlog_batches());
  facts.wal_backlog_bytes = static_cast<std::int64_t>(f.wal_backlog_bytes());
  return facts;
}

http::Response refuse(Services& services, int status, std::string_view code, std::string message) {
  services.metrics.heartbeats.with({std::string(code)}).inc();
  return http::error_response(status, code, message);
}

}  // namespace

boost::asio::awaitable<http::Response> handle_heartbeat(Services& services,
                                                        http::Request& request) {
  if (auto limited = services.limit(services.ip_limiter, request.client_ip, "ip")) {
    co_return std::move(*limited);
  }
  auto body = decode_body(request, services.config.max_request_bytes.bytes);
  if (auto* refused = std::get_if<http::Response>(&body)) co_return std::move(*refused);
  v1::SignedHeartbeat envelope;
  v1::Heartbeat heartbeat;
  if (!envelope.ParseFromString(std::get<std::string>(body)) ||
      !heartbeat.ParseFromString(envelope.heartbeat())) {
    co_return refuse(services, 400, "malformed_request", "the body is not a SignedHeartbeat");
  }
  const SignedMessage message{proto::signing_input(envelope), envelope.signature()};
  auto verified = co_await services.verifier.verify({&message, 1});
  if (auto* refused = std::get_if<http::Response>(&verified)) {
    services.metrics.heartbeats.with({"unauthorized"}).inc();
    co_return std::move(*refused);
  }
  auto& agent = std::get<Verified>(verified);
  if (heartbeat.agent_id() != agent.agent_id) {
    co_return refuse(services, 400, "malformed_request",
                     "the heartbeat names another agent than its envelope");
  }
  if (auto limited = services.limit(services.agent_limiter, agent.agent_id, "agent")) {
    co_return std::move(*limited);
  }
  const auto facts = to_store(heartbeat.facts());
  const auto now = core::unix_ms();
  auto stored = co_await services.store.run([&](store::Session& session) {
    return session.agents().record_heartbeat(agent.agent_id, facts, now);
  });
  if (!stored) {
    services.metrics.heartbeats.with({"unavailable"}).inc();
    co_return unavailable("the heartbeat cannot be stored now", services.config.retry_after);
  }
  services.events.publish("heartbeat", {{"agent_id", agent.agent_id},
                                        {"at", now},
                                        {"cpu_percent", facts.cpu_percent},
                                        {"memory_percent", facts.memory_percent},
                                        {"wal_backlog_batches", facts.wal_backlog_batches}});
  v1::HeartbeatResponse response;
  response.set_server_time_ms(now);
  if (auto rotation = pending_rotation(agent.keys, agent.signing_key)) {
    *response.mutable_rotation() = std::move(*rotation);
  }
  services.metrics.heartbeats.with({"ok"}).inc();
  co_return protobuf_response(response);
}

}  // namespace sentinel::gateway
