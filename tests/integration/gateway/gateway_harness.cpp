#include "gateway_harness.hpp"

#include <catch2/catch.hpp>

#include "sentinel/bus/bus_component.hpp"
#include "sentinel/gateway/auth.hpp"
#include "sentinel/gateway/gateway.hpp"
#include "sentinel/http/server.hpp"
#include "sentinel/store/component.hpp"

namespace sentinel::test {
namespace {

const core::ComponentCatalog& catalog() {
  static const auto catalog = [] {
    core::ComponentCatalog c;
    c.add<http::Server>();
    c.add<store::StoreComponent>();
    c.add<bus::BusComponent>();
    c.add<gateway::Auth>();
    c.add<gateway::Gateway>();
    return c;
  }();
  return catalog;
}

}  // namespace

GatewayHarness::GatewayHarness(std::string nats_url, std::string store_url,
                               std::map<std::string, std::string> env) {
  if (store_url.empty()) store_url = "sqlite://" + (dir_ / "gateway.db").string();
  env.try_emplace("SENTINEL_HTTP_LISTEN", "127.0.0.1:0");
  env.try_emplace("SENTINEL_STORE_URL", store_url);
  env.try_emplace("SENTINEL_BUS_URL", nats_url);
  env.try_emplace("SENTINEL_MASTER_KEY", kMasterKey);
  env.try_emplace("SENTINEL_DATA_DIR", dir_.path().string());
  components_ = std::make_unique<ComponentHarness>(catalog(), std::vector<std::string>{"gateway"},
                                                   std::move(env));
  const auto endpoint = components_->get<http::Server>().endpoint();
  host_ = endpoint.host;
  port_ = endpoint.port;
  REQUIRE(eventually([&] { return components_->get<bus::BusComponent>().readiness().ready; }));
}

GatewayHarness::~GatewayHarness() = default;

store::Store& GatewayHarness::store() {
  return components_->get<store::StoreComponent>().store();
}

bus::Bus& GatewayHarness::bus() {
  return components_->get<bus::BusComponent>().bus();
}

HttpReply GatewayHarness::request(const std::string& method, const std::string& target,
                                  std::string body, std::map<std::string, std::string> headers) {
  HttpClient client(host_, port_);
  return client.request(method, target, std::move(body), std::move(headers));
}

HttpReply GatewayHarness::post_protobuf(const std::string& target, std::string body,
                                        std::map<std::string, std::string> headers) {
  headers.try_emplace("Content-Type", "application/x-protobuf");
  return request("POST", target, std::move(body), std::move(headers));
}

HttpReply GatewayHarness::push(const std::vector<v1::SignedBatch>& batches) {
  return post_protobuf("/v1/push", push_body(batches));
}

HttpReply GatewayHarness::api(const std::string& method, const std::string& target,
                              const std::string& token, const nlohmann::json& body) {
  std::map<std::string, std::string> headers{{"Authorization", "Bearer " + token}};
  std::string text;
  if (!body.is_null()) {
    headers["Content-Type"] = "application/json";
    text = body.dump();
  }
  return request(method, target, std::move(text), std::move(headers));
}

std::string GatewayHarness::api_token(const std::string& role, std::chrono::milliseconds ttl) {
  auto minted = complete(gateway::mint_api_token(store(), "test-" + role, role, ttl));
  REQUIRE(minted);
  return minted->token;
}

std::string GatewayHarness::bootstrap_token(const std::string& name, std::int64_t uses,
                                            std::chrono::milliseconds ttl) {
  auto minted = complete(gateway::mint_bootstrap_token(store(), name, uses, ttl));
  REQUIRE(minted);
  return minted->token;
}

SimAgent GatewayHarness::enroll(const std::string& name) {
  v1::EnrollRequest request;
  request.set_bootstrap_token(bootstrap_token(name));
  request.set_hostname(name + ".example");
  request.set_hardware_id("hw-" + name);
  request.set_agent_version("test");
  auto reply = post_protobuf("/v1/agents/enroll", request.SerializeAsString());
  REQUIRE(reply.status == 200);
  v1::EnrollResponse response;
  REQUIRE(response.ParseFromString(reply.body));
  return {response.agent_id(), response.key_id(), response.secret()};
}

v1::PushResponse parse_push(const HttpReply& reply) {
  v1::PushResponse response;
  REQUIRE(reply.status == 200);
  REQUIRE(response.ParseFromString(reply.body));
  return response;
}

std::vector<std::string> stored_message_ids(bus::Bus& bus, const std::string& consumer_name) {
  return complete([&]() -> boost::asio::awaitable<std::vector<std::string>> {
    bus::ConsumerOptions options;
    options.durable_name = consumer_name;
    auto consumer = co_await bus.consumer(options);
    REQUIRE(consumer);
    std::vector<std::string> ids;
    for (;;) {
      auto fetched = co_await (*consumer)->fetch(100, std::chrono::milliseconds(300));
      REQUIRE(fetched);
      if (fetched->empty()) break;
      for (auto& delivery : *fetched) {
        ids.emplace_back(delivery->message_id());
        delivery->ack();
      }
    }
    co_return ids;
  }());
}

}  // namespace sentinel::test
