#pragma once
// The gateway's components (http, store, bus, auth, gateway) on a small event loop, against a
// real nats-server and SQLite or PostgreSQL, with helpers that act as an agent (sign and push
// like src/agent does, support/sim_agent.hpp) and as an admin (bearer tokens over HTTP).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "sentinel/bus/bus.hpp"
#include "sentinel/store/store.hpp"

#include "proto/sentinel.pb.h"
#include "support/component_harness.hpp"
#include "support/http_client.hpp"
#include "support/sim_agent.hpp"
#include "support/temp_dir.hpp"

namespace sentinel::test {

inline const std::string kMasterKey = "gateway-test-master-key-0123456789abcdef";

// Runs `task` to its end on an event loop of its own.
template <class T>
T complete(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  std::optional<T> value;
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { value.emplace(co_await std::move(task)); },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  io.run();
  return std::move(*value);
}

class GatewayHarness {
 public:
  // `store_url` empty: SQLite in a temp dir. `env` adds or overrides SENTINEL_* settings.
  GatewayHarness(std::string nats_url, std::string store_url = {},
                 std::map<std::string, std::string> env = {});
  ~GatewayHarness();

  HttpReply request(const std::string& method, const std::string& target, std::string body = {},
                    std::map<std::string, std::string> headers = {});
  // POST of a protobuf body to an agent endpoint.
  HttpReply post_protobuf(const std::string& target, std::string body,
                          std::map<std::string, std::string> headers = {});
  HttpReply push(const std::vector<v1::SignedBatch>& batches);
  // An admin API call with `token`; `body` is sent as JSON when not null.
  HttpReply api(const std::string& method, const std::string& target, const std::string& token,
                const nlohmann::json& body = nullptr);

  // Minted straight in the store, as `sentineld token create` does.
  std::string api_token(const std::string& role, std::chrono::milliseconds ttl = {});
  std::string bootstrap_token(const std::string& name, std::int64_t uses = 1,
                              std::chrono::milliseconds ttl = std::chrono::hours(1));
  // Enrols through POST /v1/agents/enroll; the test fails when that fails.
  SimAgent enroll(const std::string& name);

  store::Store& store();
  bus::Bus& bus();
  double metric(std::string_view series) { return metric_value(components_->metrics(), series); }
  ComponentHarness& components() { return *components_; }

 private:
  TempDir dir_;
  std::unique_ptr<ComponentHarness> components_;
  std::string host_;
  std::uint16_t port_ = 0;
};

v1::PushResponse parse_push(const HttpReply& reply);

// The messages JetStream holds for `subject` (read through a fresh durable consumer).
std::vector<std::string> stored_message_ids(bus::Bus& bus, const std::string& consumer_name);

}  // namespace sentinel::test
