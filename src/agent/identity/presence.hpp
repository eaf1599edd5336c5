#pragma once
// The agent's standing with the gateway: enrolment with the bootstrap token when it has no
// identity yet, then a signed heartbeat with host facts every heartbeat_interval. Runs on the
// agent's strand.

#include <functional>

#include <boost/asio/awaitable.hpp>

#include "sentinel/agent/config.hpp"

#include "agent/agent_metrics.hpp"
#include "agent/exporter/gateway_client.hpp"
#include "agent/identity/credentials.hpp"

namespace sentinel::agent {

class Presence {
 public:
  using FactsSource = std::function<v1::HostFacts()>;

  Presence(GatewayClient& gateway, Credentials& credentials, AgentMetrics& metrics,
           const AgentConfig& config, FactsSource facts, std::function<void()> on_enrolled,
           core::Logger log)
      : gateway_(gateway),
        credentials_(credentials),
        metrics_(metrics),
        config_(config),
        facts_(std::move(facts)),
        on_enrolled_(std::move(on_enrolled)),
        log_(std::move(log)) {}

  // Enrols if need be, then sends heartbeats until cancelled.
  boost::asio::awaitable<void> run();

 private:
  boost::asio::awaitable<void> enroll();
  boost::asio::awaitable<void> heartbeat();
  void check_clock(std::int64_t server_ms, std::int64_t sent_ms);

  GatewayClient& gateway_;
  Credentials& credentials_;
  AgentMetrics& metrics_;
  const AgentConfig& config_;
  FactsSource facts_;
  std::function<void()> on_enrolled_;
  core::Logger log_;
};

}  // namespace sentinel::agent
