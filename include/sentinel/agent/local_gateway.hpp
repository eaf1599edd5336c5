#pragma once
// A gateway in the agent's own process (`--role=all`). When the running role has one, the agent
// pushes to it instead of `agent.gateway_url`, and an agent that has not enrolled asks it for a
// bootstrap token instead of waiting for one in its configuration: a laptop needs no token copied
// by hand. The application implements it (src/app), so that the agent and the gateway libraries
// need not know each other.

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "sentinel/core/component.hpp"
#include "sentinel/core/config_types.hpp"
#include "sentinel/core/result.hpp"

namespace sentinel::agent {

class LocalGateway : public core::Component {
 public:
  static constexpr std::string_view kName = "local_gateway";

  // The base URL of this process's HTTP server; known once it has started.
  virtual std::string url() const = 0;
  // A one-use bootstrap token for this host's agent.
  virtual boost::asio::awaitable<core::Result<core::Secret>> bootstrap_token() = 0;
};

}  // namespace sentinel::agent
