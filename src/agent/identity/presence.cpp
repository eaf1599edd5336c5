#include "agent/identity/presence.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/core/unix_time.hpp"
#include "sentinel/core/version.hpp"
#include "sentinel/proto/signing.hpp"

#include "agent/clock.hpp"
#include "agent/exporter/backoff.hpp"
#include "agent/host_facts.hpp"

namespace sentinel::agent {
namespace {

namespace asio = boost::asio;

// A clock this far from the gateway's is worth a warning long before the replay window (±300 s)
// starts refusing pushes.
constexpr std::int64_t kSkewWarningMs = 60'000;
constexpr core::Duration kTokenPollInterval = std::chrono::seconds(5);

asio::awaitable<void> sleep_for(core::Duration delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

asio::awaitable<void> Presence::run() {
  if (!credentials_.enrolled()) co_await enroll();
  for (;;) {
    co_await heartbeat();
    co_await sleep_for(config_.heartbeat_interval);
  }
}

asio::awaitable<void> Presence::enroll() {
  v1::EnrollRequest request;
  request.set_hostname(static_host_facts().hostname());
  request.set_hardware_id(machine_id(config_.collect.rootfs));
  request.set_agent_version(std::string(core::version()));
  for (const auto& [name, value] : config_.labels)
    (*request.mutable_labels())[name] = value;
  Backoff backoff(config_.retry_initial, config_.retry_max);
  for (;;) {
    if (config_.bootstrap_token.empty()) {
      co_await sleep_for(kTokenPollInterval);  // a reload may bring one
      continue;
    }
    auto enrollment_id = credentials_.enrollment_id();
    if (!enrollment_id) {
      const auto delay = backoff.next();
      log_.error("cannot keep the enrolment id ({}); retrying in {}", enrollment_id.error().message,
                 core::format_duration(delay));
      co_await sleep_for(delay);
      continue;
    }
    request.set_enrollment_id(*enrollment_id);
    request.set_bootstrap_token(config_.bootstrap_token.reveal());
    const auto reply = co_await gateway_.post("/v1/agents/enroll", request.SerializeAsString());
    v1::EnrollResponse response;
    if (reply.status == 200 && response.ParseFromString(reply.body) &&
        !response.agent_id().empty() && !response.secret().empty()) {
      if (auto saved = credentials_.enroll(response); !saved) {
        log_.error("enrolled as {} but could not save the identity: {}", response.agent_id(),
                   saved.error().message);
      } else {
        log_.info("enrolled as agent {} (key {})", response.agent_id(), response.key_id());
      }
      on_enrolled_();
      co_return;
    }
    auto delay = backoff.next();
    if (reply.retry_after) delay = std::max(delay, *reply.retry_after);
    if (reply.status == 401 || reply.status == 409) {
      log_.error("enrolment refused ({}): check agent.bootstrap_token; retrying in {}",
                 reply.describe(), core::format_duration(delay));
    } else {
      log_.warn("enrolment failed ({}); retrying in {}", reply.describe(),
                core::format_duration(delay));
    }
    co_await sleep_for(delay);
  }
}

asio::awaitable<void> Presence::heartbeat() {
  v1::Heartbeat heartbeat;
  heartbeat.set_agent_id(credentials_.agent_id());
  *heartbeat.mutable_facts() = facts_();
  v1::SignedHeartbeat envelope;
  envelope.set_agent_id(credentials_.agent_id());
  envelope.set_heartbeat(heartbeat.SerializeAsString());
  const auto sent_ms = core::unix_ms();
  const AgentKey key = credentials_.signing_key(sent_ms);
  proto::sign_envelope(envelope, key.key_id, key.secret, sent_ms);
  const auto reply = co_await gateway_.post("/v1/heartbeat", envelope.SerializeAsString());
  v1::HeartbeatResponse response;
  if (reply.status == 200 && response.ParseFromString(reply.body)) {
    metrics_.heartbeats.with({"ok"}).inc();
    check_clock(response.server_time_ms(), sent_ms);
    if (response.has_rotation()) {
      if (auto rotated = credentials_.rotate(response.rotation(), key); !rotated) {
        log_.error("key rotation failed: {}", rotated.error().message);
      } else if (credentials_.identity().current.key_id != key.key_id) {
        metrics_.key_rotations.inc();
      }
    }
  } else if (reply.status == 401) {
    metrics_.heartbeats.with({"unauthorized"}).inc();
    log_.error("the gateway refuses this agent's heartbeat: {}", reply.describe());
    credentials_.refused(key, core::unix_ms());
  } else {
    metrics_.heartbeats.with({"error"}).inc();
    log_.debug("heartbeat failed: {}", reply.describe());
  }
}

void Presence::check_clock(std::int64_t server_ms, std::int64_t sent_ms) {
  if (server_ms == 0) return;
  const auto skew = sent_ms - server_ms;
  if (skew > kSkewWarningMs || skew < -kSkewWarningMs) {
    log_.warn("this host's clock is {} s {} the gateway's; pushes fail beyond the replay window",
              std::abs(skew) / 1000, skew > 0 ? "ahead of" : "behind");
  }
}

}  // namespace sentinel::agent
