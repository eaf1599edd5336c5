#pragma once
// Presence: an agent is online while its last heartbeat is at most `stale_after` old, stale up
// to `offline_after`, offline after that (or when never seen), and disabled when an admin
// disabled it. The monitor rereads the fleet every `presence_interval`, publishes the
// transitions as events and keeps the sentinel_gateway_agents{status} gauges.

#include <map>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "sentinel/store/agents.hpp"

#include "services.hpp"

namespace sentinel::gateway {

std::string_view agent_status(const store::Agent& agent, std::int64_t now,
                              const Gateway::Config& config);

// Every agent, page by page; an error when the store cannot be read.
boost::asio::awaitable<core::Result<std::vector<store::Agent>>> load_fleet(store::Store& store);

class PresenceMonitor {
 public:
  explicit PresenceMonitor(Services& services) : services_(services) {}
  // Runs until cancelled.
  boost::asio::awaitable<void> run();

 private:
  void update(const std::vector<store::Agent>& fleet);

  Services& services_;
  std::map<std::string, std::string, std::less<>> last_;  // agent id -> status
  bool first_ = true;
};

}  // namespace sentinel::gateway
