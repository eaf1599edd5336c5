// The alerting on PostgreSQL across a restart: the state the first worker saved keeps the
// second from notifying again, and the second still resolves what the first fired. And across a
// commit whose outcome the leader never learnt.

#include <catch2/catch.hpp>

#include "sentinel/core/unix_time.hpp"

#include "backends.hpp"
#include "pipeline.hpp"
#include "support/tcp_proxy.hpp"

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

// A webhook notifier "ops" posting to the receiver's /ok, and the rule HighCpu (cpu > 90) on it.
void watch_cpu(Pipeline& p, const WebhookReceiver& receiver) {
  const auto notifier =
      p.call("POST", "/api/v1/notifiers",
             {{"name", "ops"}, {"type", "webhook"}, {"settings", {{"url", receiver.url("/ok")}}}});
  REQUIRE(notifier.status == 201);
  REQUIRE(p.call("POST", "/api/v1/rules",
                 {{"name", "HighCpu"},
                  {"metric", "cpu_usage_percent"},
                  {"aggregation", "last"},
                  {"op", ">"},
                  {"threshold", 90},
                  {"notifiers", {"ops"}}})
              .status == 201);
}

}  // namespace

TEST_CASE("alert e2e on PostgreSQL: a restarted worker neither fires again nor forgets") {
  store::test::PostgresBackend backend;
  const std::map<std::string, std::string> settings = {
      {"SENTINEL_STORE_URL", backend.options().postgres_url}};
  WebhookReceiver receiver;
  {
    Pipeline first(settings);
    watch_cpu(first, receiver);
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

TEST_CASE("alert e2e on PostgreSQL: a firing whose commit was never confirmed is recorded once") {
  store::test::PostgresBackend backend;
  auto url = backend.options().postgres_url;
  const auto port_at = url.find(':', url.find('@')) + 1;
  const auto port_end = url.find('/', port_at);
  TcpProxy proxy({static_cast<std::uint16_t>(std::stoi(url.substr(port_at, port_end - port_at)))});
  url.replace(port_at, port_end - port_at, std::to_string(proxy.port()));
  WebhookReceiver receiver;
  Pipeline p({{"SENTINEL_STORE_URL", url}});
  watch_cpu(p, receiver);
  // The leader's commit of the firing reaches PostgreSQL, but its reply is lost on the way back:
  // the leader cannot tell whether the transition is stored and must not store it twice.
  proxy.lose_reply("COMMIT", "INSERT INTO notification_outbox (notifier_id");
  cpu(p, 97);
  REQUIRE(eventually([&] { return receiver.count("/ok") >= 1; }));
  CHECK(metric_value(p.harness().metrics(), "sentinel_alert_evaluation_failures_total") >= 1);
  const auto before = evaluations(p);
  REQUIRE(eventually([&] { return evaluations(p) >= before + 5; }));
  const auto firings = p.call("GET", "/api/v1/alerts?state=firing").body["events"];
  CHECK(firings.size() == 1);
  CHECK(receiver.count("/ok") == 1);
}
