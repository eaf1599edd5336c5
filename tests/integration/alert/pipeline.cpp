#include "pipeline.hpp"

#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <catch2/catch.hpp>

#include "sentinel/alert/component.hpp"
#include "sentinel/bus/bus_component.hpp"
#include "sentinel/http/server.hpp"
#include "sentinel/notify/component.hpp"
#include "sentinel/store/component.hpp"

#include "proto/sentinel.pb.h"

namespace sentinel::test {

namespace asio = boost::asio;

Pipeline::Pipeline(std::map<std::string, std::string> environment) {
  catalog_.add<http::Server>();
  catalog_.add<store::StoreComponent>();
  catalog_.add<bus::BusComponent>();
  catalog_.add<alert::AlertComponent>();
  catalog_.add<notify::NotifyComponent>();
  std::map<std::string, std::string> settings = {
      {"SENTINEL_DATA_DIR", dir_.path().string()},
      {"SENTINEL_HTTP_LISTEN", "127.0.0.1:0"},
      {"SENTINEL_STORE_URL", "sqlite://" + (dir_ / "sentineld.db").string()},
      {"SENTINEL_MASTER_KEY", "a-test-master-key-of-some-length-0123456789"},
      {"SENTINEL_ALERT_EVALUATION_INTERVAL", "100ms"},
      {"SENTINEL_ALERT_REFRESH_INTERVAL", "200ms"},
      {"SENTINEL_ALERT_LEAD_RETRY", "100ms"},
      {"SENTINEL_NOTIFY_POLL_INTERVAL", "20ms"},
      {"SENTINEL_NOTIFY_RETRY_INITIAL", "100ms"},
      {"SENTINEL_NOTIFY_RETRY_MAX", "200ms"},
      {"SENTINEL_NOTIFY_MAX_ATTEMPTS", "3"},
      {"SENTINEL_NOTIFY_TIMEOUT", "500ms"},
  };
  for (auto& [key, value] : environment)
    settings[key] = value;
  harness_ = std::make_unique<ComponentHarness>(
      catalog_, std::vector<std::string>{"alert", "notify"}, settings);
  const auto endpoint = harness_->get<http::Server>().endpoint();
  client_ = std::make_unique<HttpClient>(endpoint.host, endpoint.port);
}

Pipeline::~Pipeline() {
  client_.reset();
  harness_->stop();
}

void Pipeline::publish(const std::string& agent, std::int64_t at_ms,
                       const std::vector<Gauge>& gauges) {
  v1::Batch batch;
  batch.set_agent_id(agent);
  batch.set_batch_id(next_batch_++);
  batch.set_created_at_ms(at_ms);
  for (const auto& gauge : gauges) {
    auto* metric = batch.add_metrics();
    metric->set_name(gauge.name);
    metric->set_type(v1::METRIC_TYPE_GAUGE);
    metric->set_double_value(gauge.value);
    metric->set_timestamp_ms(at_ms);
    for (const auto& [name, value] : gauge.labels) {
      auto* label = metric->add_labels();
      label->set_name(name);
      label->set_value(value);
    }
  }
  const bus::OutgoingMessage message{bus::metrics_subject(agent),
                                     agent + ":" + std::to_string(batch.batch_id()),
                                     batch.SerializeAsString()};
  // In process, a publish is refused until the alert leader has its consumer: retry until then.
  REQUIRE(eventually([&] { return publish_once(message) == bus::PublishStatus::kAccepted; }));
}

bus::PublishStatus Pipeline::publish_once(const bus::OutgoingMessage& message) {
  auto& bus = harness_->get<bus::BusComponent>().bus();
  std::promise<bus::PublishStatus> done;
  asio::co_spawn(
      harness_->components().io(),
      [&]() -> asio::awaitable<void> {
        auto copy = message;
        auto result = co_await bus.publish(std::move(copy));
        done.set_value(result.status);
      },
      asio::detached);
  return done.get_future().get();
}

Pipeline::Reply Pipeline::call(const std::string& method, const std::string& target,
                               const nlohmann::json& body) {
  auto reply = client_->request(method, target, body.is_null() ? std::string() : body.dump(),
                                {{"Content-Type", "application/json"}});
  return {reply.status, reply.body.empty() ? nlohmann::json()
                                           : nlohmann::json::parse(reply.body, nullptr, false)};
}

}  // namespace sentinel::test
