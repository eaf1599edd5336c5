#include "gateway_harness.hpp"

#include <catch2/catch.hpp>

#include "sentinel/bus/bus_component.hpp"
#include "sentinel/gateway/auth.hpp"
#include "sentinel/gateway/gateway.hpp"
#include "sentinel/http/server.hpp"
#include "sentinel/proto/signing.hpp"
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

std::int64_t unix_ms() {
  return gateway::now_ms();
}

v1::Batch SimAgent::batch(std::uint64_t batch_id, int metrics) const {
  v1::Batch batch;
  batch.set_agent_id(agent_id);
  batch.set_batch_id(batch_id);
  batch.set_created_at_ms(unix_ms());
  for (int i = 0; i < metrics; ++i) {
    auto* metric = batch.add_metrics();
    metric->set_name("cpu_usage_percent");
    metric->set_type(v1::METRIC_TYPE_GAUGE);
    metric->set_double_value(i * 1.5);
    metric->set_timestamp_ms(unix_ms());
    auto* label = metric->add_labels();
    label->set_name("core");
    label->set_value(std::to_string(i));
  }
  return batch;
}

v1::SignedBatch SimAgent::sign(const v1::Batch& batch, std::int64_t sent_at_ms) const {
  v1::SignedBatch envelope;
  envelope.set_agent_id(agent_id);
  envelope.set_batch(batch.SerializeAsString());
  proto::sign_envelope(envelope, key_id, secret, sent_at_ms);
  return envelope;
}

v1::SignedHeartbeat SimAgent::heartbeat(const v1::HostFacts& facts) const {
  v1::Heartbeat heartbeat;
  heartbeat.set_agent_id(agent_id);
  *heartbeat.mutable_facts() = facts;
  v1::SignedHeartbeat envelope;
  envelope.set_agent_id(agent_id);
  envelope.set_heartbeat(heartbeat.SerializeAsString());
  proto::sign_envelope(envelope, key_id, secret, unix_ms());
  return envelope;
}

std::string push_body(const std::vector<v1::SignedBatch>& batches) {
  v1::PushRequest push;
  for (const auto& batch : batches)
    *push.add_batches() = batch;
  return push.SerializeAsString();
}

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

std::string error_code(const HttpReply& reply) {
  auto parsed = nlohmann::json::parse(reply.body, nullptr, false);
  if (parsed.is_discarded() || !parsed.contains("error")) return "";
  return parsed["error"].value("code", "");
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
