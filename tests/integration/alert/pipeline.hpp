#pragma once
// The alerting pipeline of one worker for a test: http, store (SQLite in a temp dir, or the
// PostgreSQL schema given), the in-process bus, alert and notify, with fast timings; a webhook
// receiver on loopback; and helpers to publish batches and call the API.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sentinel/bus/bus.hpp"
#include "sentinel/core/registry.hpp"

#include "support/component_harness.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "support/webhook_receiver.hpp"

namespace sentinel::test {

class Pipeline {
 public:
  explicit Pipeline(std::map<std::string, std::string> environment = {});
  ~Pipeline();

  // Publishes one batch of gauges {name, labels, value} for `agent` at `at_ms`.
  struct Gauge {
    std::string name;
    std::map<std::string, std::string> labels;
    double value;
  };
  void publish(const std::string& agent, std::int64_t at_ms, const std::vector<Gauge>& gauges);
  // Calls the API; the body is JSON or empty.
  struct Reply {
    int status;
    nlohmann::json body;
  };
  Reply call(const std::string& method, const std::string& target,
             const nlohmann::json& body = nullptr);
  ComponentHarness& harness() { return *harness_; }

 private:
  bus::PublishStatus publish_once(const bus::OutgoingMessage& message);

  TempDir dir_;
  core::ComponentCatalog catalog_;
  std::unique_ptr<ComponentHarness> harness_;
  std::unique_ptr<HttpClient> client_;
  std::uint64_t next_batch_ = 1;
};

}  // namespace sentinel::test
