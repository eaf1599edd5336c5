// The alerting end to end in one worker: batches published on the in-process bus, rules and
// notifiers made through the API, notifications received by a local webhook.

#include <catch2/catch.hpp>

#include "sentinel/core/crypto.hpp"
#include "sentinel/core/unix_time.hpp"

#include "pipeline.hpp"

using namespace sentinel;
using namespace sentinel::test;
using nlohmann::json;

namespace {

constexpr const char* kSecret = "webhook-signing-secret";

std::string make_notifier(Pipeline& p, const std::string& name, const std::string& url) {
  const auto reply = p.call("POST", "/api/v1/notifiers",
                            {{"name", name},
                             {"type", "webhook"},
                             {"settings", {{"url", url}, {"hmac_secret", kSecret}}}});
  REQUIRE(reply.status == 201);
  return reply.body["id"];
}

std::string make_rule(Pipeline& p, const std::string& notifier, json extra = json::object()) {
  json rule = {{"name", "HighCpu"},
               {"metric", "cpu_usage_percent"},
               {"match", {"cpu=\"total\""}},
               {"aggregation", "last"},
               {"window", "1m"},
               {"op", ">"},
               {"threshold", 90},
               {"notifiers", {notifier}},
               {"annotations", {{"summary", "{{ $agent }} CPU at {{ $value }}%"}}}};
  rule.update(extra);
  const auto reply = p.call("POST", "/api/v1/rules", rule);
  REQUIRE(reply.status == 201);
  return reply.body["id"];
}

void cpu(Pipeline& p, const std::string& agent, double value) {
  p.publish(agent, core::unix_ms(), {{"cpu_usage_percent", {{"cpu", "total"}}, value}});
}

json last_body(const WebhookReceiver& receiver) {
  return json::parse(receiver.received().back().body);
}

}  // namespace

TEST_CASE("alert e2e: a breach fires a signed webhook, then resolves") {
  WebhookReceiver receiver;
  Pipeline p;
  const auto notifier = make_notifier(p, "ops", receiver.url("/ok"));
  make_rule(p, notifier);

  cpu(p, "agt_web1", 97);
  REQUIRE(eventually([&] { return receiver.count("/ok") == 1; }));
  const auto firing = receiver.received().back();
  const auto body = json::parse(firing.body);
  CHECK(body["status"] == "firing");
  CHECK(body["alerts"][0]["agent_id"] == "agt_web1");
  CHECK(body["alerts"][0]["annotations"]["summary"] == "agt_web1 CPU at 97%");
  CHECK(firing.headers.at("x-sentinel-signature") ==
        "sha256=" + core::to_hex(core::hmac_sha256(kSecret, firing.body)));

  const auto active = p.call("GET", "/api/v1/alerts?active=true");
  REQUIRE(active.body["alerts"].size() == 1);
  CHECK(active.body["alerts"][0]["state"] == "firing");

  cpu(p, "agt_web1", 12);
  REQUIRE(eventually([&] { return receiver.count("/ok") == 2; }));
  CHECK(last_body(receiver)["status"] == "resolved");
  const auto events = p.call("GET", "/api/v1/alerts?agent=agt_web1");
  REQUIRE(events.body["events"].size() >= 2);
  CHECK(events.body["events"][0]["state"] == "resolved");
}

TEST_CASE("alert e2e: a notifier made since the leader read the notifiers gets the first firing") {
  WebhookReceiver receiver;
  // The leader reads rules and notifiers again only when asked (a rule made through the API
  // asks) or after ten minutes.
  Pipeline p(std::map<std::string, std::string>{{"SENTINEL_ALERT_REFRESH_INTERVAL", "10m"}});
  make_rule(p, "ops");  // names the notifier that does not exist yet
  REQUIRE(
      eventually([&] { return metric_value(p.harness().metrics(), "sentinel_alert_rules") == 1; }));
  make_notifier(p, "ops", receiver.url("/ok"));  // as if through another worker's API

  cpu(p, "agt_web1", 97);
  REQUIRE(eventually([&] { return receiver.count("/ok") == 1; }));
  CHECK(last_body(receiver)["status"] == "firing");
}

TEST_CASE("alert e2e: acknowledging, silences and the secrets masked") {
  WebhookReceiver receiver;
  Pipeline p;
  const auto notifier = make_notifier(p, "ops", receiver.url("/ok"));
  const auto shown = p.call("GET", "/api/v1/notifiers/" + notifier);
  CHECK(shown.body["settings"]["hmac_secret"] == "***");
  CHECK(shown.body["settings"]["url"] == receiver.url("/ok"));
  make_rule(p, notifier);

  // A silence on one agent: its alert fires but nobody hears of it.
  const auto silence = p.call("POST", "/api/v1/silences",
                              {{"matchers", {"agent=\"agt_quiet\""}},
                               {"ends_at", core::unix_ms() + 3'600'000},
                               {"comment", "maintenance"}});
  REQUIRE(silence.status == 201);
  cpu(p, "agt_quiet", 99);
  cpu(p, "agt_loud", 99);
  REQUIRE(eventually([&] { return receiver.count("/ok") == 1; }));
  CHECK(last_body(receiver)["alerts"][0]["agent_id"] == "agt_loud");
  REQUIRE(eventually(
      [&] { return p.call("GET", "/api/v1/alerts?active=true").body["alerts"].size() == 2; }));
  const auto silenced = p.call("GET", "/api/v1/alerts?agent=agt_quiet&state=firing");
  REQUIRE(silenced.body["events"].size() == 1);
  CHECK(silenced.body["events"][0]["silenced"] == true);

  const auto alerts = p.call("GET", "/api/v1/alerts?active=true&agent=agt_loud").body["alerts"];
  REQUIRE(alerts.size() == 1);
  const std::string id = alerts[0]["id"];
  CHECK(p.call("POST", "/api/v1/alerts/" + id + "/ack", {{"note", "looking"}}).status == 200);
  const auto acked = p.call("GET", "/api/v1/alerts?active=true&agent=agt_loud").body["alerts"];
  CHECK(acked[0]["ack"]["note"] == "looking");
  CHECK(p.call("POST", "/api/v1/alerts/nope/ack", json::object()).status == 404);
  CHECK(p.call("POST", "/api/v1/silences", {{"matchers", {"bad matcher"}}}).status == 400);
  // A comment of the wrong type is a 400 naming it, not an exception out of the handler.
  const auto wrong =
      p.call("POST", "/api/v1/silences", {{"matchers", {"agent=\"agt_loud\""}}, {"comment", 5}});
  CHECK(wrong.status == 400);
  CHECK(wrong.body.dump().find("comment") != std::string::npos);
}

TEST_CASE("alert e2e: rules are validated, and file rules are read-only") {
  TempDir dir;
  const auto file = dir.write("rules.yml", R"(rules:
  - name: FromFile
    kind: agent_offline
    offline_after: 5m
)");
  Pipeline p({{"SENTINEL_ALERT_RULES_FILE", file.string()}});
  REQUIRE(eventually([&] { return p.call("GET", "/api/v1/rules").body["rules"].size() == 1; }));
  CHECK(p.call("GET", "/api/v1/rules/file:FromFile").body["source"] == "file");
  CHECK(p.call("DELETE", "/api/v1/rules/file:FromFile").status == 409);
  CHECK(p.call("PUT", "/api/v1/rules/file:FromFile", {{"name", "x"}, {"kind", "agent_offline"}})
            .status == 409);

  const auto bad = p.call("POST", "/api/v1/rules", {{"name", "x"}, {"metric", "m"}, {"op", "=>"}});
  REQUIRE(bad.status == 400);
  std::vector<std::string> fields;
  for (const auto& f : bad.body["error"]["fields"])
    fields.push_back(f["field"]);
  CHECK(fields == std::vector<std::string>{"op", "threshold"});

  const auto made = p.call("POST", "/api/v1/rules",
                           {{"name", "Mem"}, {"metric", "memory_used_percent"}, {"threshold", 90}});
  REQUIRE(made.status == 201);
  const std::string id = made.body["id"];
  CHECK(p.call("POST", "/api/v1/rules", {{"name", "Mem"}, {"metric", "m"}, {"threshold", 1}})
            .status == 409);
  const auto edited =
      p.call("PUT", "/api/v1/rules/" + id,
             {{"name", "Mem"}, {"metric", "memory_used_percent"}, {"threshold", 80}});
  CHECK(edited.status == 200);
  CHECK(p.call("GET", "/api/v1/rules/" + id).body["threshold"] == 80);
  CHECK(p.call("DELETE", "/api/v1/rules/" + id).status == 204);
  CHECK(p.call("GET", "/api/v1/rules/" + id).status == 404);
}

TEST_CASE("alert e2e: a failing receiver ends in the DLQ, and a replay delivers") {
  WebhookReceiver receiver;
  Pipeline p;
  const auto notifier = make_notifier(p, "ops", receiver.url("/fail"));
  make_rule(p, notifier);
  cpu(p, "agt_web1", 97);
  // max_attempts 3: three tries, then a dead letter.
  REQUIRE(eventually(
      [&] { return p.call("GET", "/api/v1/notifications/dlq").body["dead_letters"].size() == 1; }));
  CHECK(receiver.count("/fail") == 3);
  const auto dead = p.call("GET", "/api/v1/notifications/dlq").body["dead_letters"][0];
  CHECK(dead["attempts"] == 3);
  CHECK(dead["last_error"].get<std::string>().find("HTTP 500") != std::string::npos);

  // Fixed receiver, then replay.
  REQUIRE(p.call("PUT", "/api/v1/notifiers/" + notifier,
                 {{"settings", {{"url", receiver.url("/ok")}, {"hmac_secret", "***"}}}})
              .status == 200);
  const auto id = std::to_string(dead["id"].get<std::int64_t>());
  CHECK(p.call("POST", "/api/v1/notifications/dlq/" + id + "/replay").status == 200);
  REQUIRE(eventually([&] { return receiver.count("/ok") == 1; }));
  // The masked secret was kept: the replayed message is still signed with it.
  const auto delivered = receiver.received().back();
  CHECK(delivered.headers.at("x-sentinel-signature") ==
        "sha256=" + core::to_hex(core::hmac_sha256(kSecret, delivered.body)));
  CHECK(p.call("GET", "/api/v1/notifications/dlq").body["dead_letters"].empty());
  CHECK(p.call("DELETE", "/api/v1/notifications/dlq/" + id).status == 404);
}

TEST_CASE("alert e2e: a 429 is retried after Retry-After, a hang times out and is retried") {
  WebhookReceiver receiver;
  Pipeline p;
  const auto busy = make_notifier(p, "busy", receiver.url("/busy"));
  const auto hang = make_notifier(p, "hang", receiver.url("/hang"));
  make_rule(p, busy);
  make_rule(p, hang, {{"name", "HighCpuHang"}});
  cpu(p, "agt_web1", 97);
  REQUIRE(eventually([&] { return receiver.count("/busy") == 2; }, std::chrono::seconds(15)));
  // The retry carries the first attempt's notification id: a receiver can drop duplicates.
  std::vector<json> ids;
  for (const auto& r : receiver.received())
    if (r.path == "/busy") ids.push_back(json::parse(r.body)["alerts"][0]["notification_id"]);
  REQUIRE(ids.size() == 2);
  CHECK(ids[0] == ids[1]);
  CHECK(ids[0].get<std::int64_t>() > 0);
  // The hanging receiver is given up on after the 500 ms timeout each time, then dead-lettered.
  REQUIRE(eventually(
      [&] { return p.call("GET", "/api/v1/notifications/dlq").body["dead_letters"].size() == 1; },
      std::chrono::seconds(15)));
  const auto dead = p.call("GET", "/api/v1/notifications/dlq").body["dead_letters"][0];
  CHECK(dead["notifier_id"] == hang);
  CHECK(dead["last_error"].get<std::string>().find("timeout") != std::string::npos);
  CHECK(receiver.count("/hang") == 3);
}

TEST_CASE("alert e2e: the test endpoint really sends") {
  WebhookReceiver receiver;
  Pipeline p;
  const auto ok = make_notifier(p, "ok", receiver.url("/ok"));
  const auto failing = make_notifier(p, "failing", receiver.url("/fail"));
  CHECK(p.call("POST", "/api/v1/notifiers/" + ok + "/test").status == 200);
  CHECK(receiver.count("/ok") == 1);
  CHECK(last_body(receiver)["alerts"][0]["rule_name"] == "SentinelTestNotification");
  const auto reply = p.call("POST", "/api/v1/notifiers/" + failing + "/test");
  CHECK(reply.status == 502);
  CHECK(reply.body["http_status"] == 500);
}
