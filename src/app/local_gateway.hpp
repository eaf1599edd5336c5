#pragma once
// `--role=all` on a laptop: the gateway runs in the same process as the agent. This component
// points the local agent at it and enrols it with a token minted on the spot, and on the first
// start mints the first admin token and prints it once (only its hash is stored).

#include <string>

#include <boost/asio/io_context.hpp>

#include "sentinel/agent/local_gateway.hpp"
#include "sentinel/core/config.hpp"
#include "sentinel/core/log.hpp"
#include "sentinel/core/task_group.hpp"

namespace sentinel::http {
class Server;
}
namespace sentinel::store {
class Store;
}

namespace sentinel::app {

class InProcessGateway final : public agent::LocalGateway {
 public:
  struct Config {
    static Config parse(core::ConfigSection&) { return {}; }
  };

  InProcessGateway(const Config& config, core::ComponentContext& context);

  // Says where the data is, the URL and how to get a token; mints the first admin token when
  // the store has none.
  void start() override;
  void stop(core::Deadline deadline) override;

  std::string url() const override;
  boost::asio::awaitable<core::Result<core::Secret>> bootstrap_token() override;

 private:
  boost::asio::awaitable<void> ensure_admin_token();

  const core::ProcessConfig& process_;
  boost::asio::io_context& io_;
  http::Server& http_;
  store::Store& store_;
  std::string data_location_;
  core::Logger log_;
  core::TaskGroup tasks_;
};

}  // namespace sentinel::app
