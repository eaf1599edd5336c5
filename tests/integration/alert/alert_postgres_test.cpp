// The alerting on PostgreSQL across a restart: the state the first worker saved keeps the
// second from notifying again, and the second still resolves what the first fired.

#include <catch2/catch.hpp>

#include "sentinel/core/unix_time.hpp"

#include "backends.hpp"
#include "pipeline.hpp"

using namespace sentinel;
using namespace sentinel::test;
using nlohmann::json;

namespace {

void cpu(Pipeline& p, double value) {
  p.publish("agt_db1", core::unix_ms(), {{"cpu_usage_percent", {{"cpu", "total"}}, value}});
}

double evaluations(Pipeline& p) {
  return metric_value(p.harness().metrics(), "sentinel_alert_evaluations_total");
}

}  // namespace

TEST_CASE("alert e2e on PostgreSQL: a restarted worker neither fires again nor forgets") {
  store::test::PostgresBackend backend;
  const std::map<std::string, std::string> settings = {
      {"SENTINEL_STORE_URL", backend.options().postgres_url}};
  WebhookReceiver receiver;
  {
    Pipeline first(settings);
    const auto notifier = first.call(
        "POST", "/api/v1/notifiers",
        {{"name", "ops"}, {"type", "webhook"}, {"settings", {{"url", receiver.url("/ok")}}}});
    REQUIRE(notifier.status == 201);
    REQUIRE(first
                .call("POST", "/api/v1/rules",
                      {{"name", "HighCpu"},
                       {"metric", "cpu_usage_percent"},
                       {"aggregation", "last"},
                       {"op", ">"},
                       {"threshold", 90},
                       {"notifiers", {"ops"}}})
                .status == 201);
    cpu(first, 97);
    REQUIRE(eventually([&] { return receiver.count("/ok") == 1; }));
    // Recorded as sent before the worker stops; else the next one would rightly send it again
    // (the outbox delivers at least once).
    REQUIRE(eventually([&] {
      return metric_value(
                 first.harness().metrics(),
                 R"(sentinel_notify_notifications_total{channel="webhook",result="sent"})") == 1;
    }));
  }
  Pipeline second(settings);
  cpu(second, 98);
  // Several evaluations of the still-firing alert by the new leader: nothing is sent again.
  const auto before = evaluations(second);
  REQUIRE(eventually([&] { return evaluations(second) >= before + 5; }));
  CHECK(receiver.count("/ok") == 1);
  const auto active = second.call("GET", "/api/v1/alerts?active=true").body["alerts"];
  REQUIRE(active.size() == 1);
  CHECK(active[0]["state"] == "firing");

  cpu(second, 10);
  REQUIRE(eventually([&] { return receiver.count("/ok") == 2; }));
  CHECK(json::parse(receiver.received().back().body)["status"] == "resolved");
}
