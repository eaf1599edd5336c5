// The leader's evaluation step over values: transitions become instance rows, events and outbox
// rows; silences, acknowledgements, repeats, rule edits and restarts behave.

#include "engine.hpp"

#include <catch2/catch.hpp>

#include "sentinel/alert/notification.hpp"

using namespace sentinel::alert;
using namespace std::chrono_literals;

namespace {

struct World {
  Windows windows{1h};
  std::vector<Rule> rules;
  std::vector<AgentInfo> agents = {{"agt_a", "web-1", {{"env", "prod"}}, 0}};
  std::vector<ActiveSilence> silences;
  std::vector<NotifierRef> notifiers = {{"ntf_1", "ops", true, 0, true},
                                        {"ntf_2", "quiet", false, 2000, true}};
  Engine engine;

  World() {
    Rule rule;
    rule.id = "rul_cpu";
    rule.name = "HighCpu";
    rule.metric = "cpu";
    rule.aggregation = Aggregation::kLast;
    rule.window = 1min;
    rule.threshold = 90;
    rule.for_duration = 0ms;
    rule.repeat_interval = 1h;
    rule.notifiers = {"ops", "ntf_2"};
    rule.annotations = {{"summary", "{{ $agent_name }} at {{ $value }}"}};
    rule.labels = {{"team", "infra"}};
    rules.push_back(rule);
  }

  void sample(std::int64_t at, double value) { windows.add({"agt_a", "cpu", {}}, {at, value}); }

  Changes tick(std::int64_t now, std::int64_t warm_until = 0) {
    auto changes =
        engine.evaluate({now, &rules, &windows, &agents, &silences, &notifiers, warm_until});
    engine.apply(changes);
    return changes;
  }
};

AlertNotification payload(const sentinel::store::OutboxRow& row) {
  return *notification_from_json(nlohmann::json::parse(row.payload));
}

}  // namespace

TEST_CASE("engine: firing writes the instance, an event and one row per notifier") {
  World w;
  w.sample(1000, 95);
  const auto changes = w.tick(1000);
  REQUIRE(changes.put.size() == 1);
  const auto& row = changes.put[0];
  CHECK(row.state == "firing");
  CHECK(row.labels.at("alertname") == "HighCpu");
  CHECK(row.labels.at("team") == "infra");
  CHECK(row.labels.at("agent") == "agt_a");
  CHECK(row.annotations.at("summary") == "web-1 at 95");
  REQUIRE(changes.events.size() == 1);
  CHECK(changes.events[0].state == "firing");
  CHECK(changes.events[0].previous_state == "ok");
  REQUIRE(changes.outbox.size() == 2);
  CHECK(changes.outbox[0].notifier_id == "ntf_1");
  CHECK(changes.outbox[0].next_attempt_at == 1000);
  CHECK(changes.outbox[1].next_attempt_at == 3000);  // group_wait 2 s
  CHECK(changes.outbox[0].group_key == "rul_cpu/ntf_1");
  CHECK(payload(changes.outbox[0]).status == "firing");

  // Still firing: nothing to write, nothing to send.
  w.sample(2000, 96);
  CHECK(w.tick(2000).empty());

  // Resolved: the notifier without send_resolved stays quiet.
  w.sample(3000, 10);
  const auto resolved = w.tick(3000);
  REQUIRE(resolved.outbox.size() == 1);
  CHECK(resolved.outbox[0].notifier_id == "ntf_1");
  CHECK(payload(resolved.outbox[0]).status == "resolved");
  CHECK(payload(resolved.outbox[0]).ends_at == 3000);
  // Then forgotten.
  const auto forgotten = w.tick(4000);
  CHECK(forgotten.deleted.size() == 1);
  CHECK(w.engine.instances().empty());
}

TEST_CASE("engine: a silenced alert changes state but notifies nobody") {
  World w;
  w.silences.push_back({"sil_1", {*LabelMatcher::parse("team=\"infra\"")}, 0, 10'000});
  w.sample(1000, 95);
  const auto changes = w.tick(1000);
  CHECK(changes.put.at(0).state == "firing");
  CHECK(changes.events.at(0).silenced);
  CHECK(changes.outbox.empty());
  // After the silence ends, the still-firing alert is reminded at its repeat interval.
  w.rules[0].repeat_interval = 5s;
  w.sample(11'000, 95);
  CHECK(w.tick(11'000).outbox.size() == 2);
}

TEST_CASE("engine: repeats while firing, unless acknowledged") {
  World w;
  w.rules[0].repeat_interval = 10s;
  w.sample(0, 95);
  w.tick(0);
  w.sample(5000, 95);
  CHECK(w.tick(5000).outbox.empty());
  w.sample(10'000, 95);
  const auto repeat = w.tick(10'000);
  REQUIRE(repeat.outbox.size() == 2);
  CHECK(payload(repeat.outbox[0]).repeat);
  CHECK(repeat.outbox[1].next_attempt_at == 10'000);  // no group_wait for reminders
  auto stored = w.engine.instances().begin()->second;
  stored.acked_at = 11'000;
  stored.acked_by = "alice";
  w.engine.merge_acknowledgement(stored);
  w.sample(20'000, 95);
  CHECK(w.tick(20'000).outbox.empty());
}

TEST_CASE("engine: editing a rule keeps the state of its instances") {
  World w;
  w.rules[0].for_duration = 10s;
  w.sample(0, 95);
  w.tick(0);
  REQUIRE(w.engine.instances().begin()->second.state == "pending");
  // Threshold and annotations edited, id unchanged: the pending timer keeps running.
  w.rules[0].threshold = 80;
  w.rules[0].annotations["summary"] = "edited";
  w.sample(10'000, 85);
  const auto changes = w.tick(10'000);
  REQUIRE(changes.put.size() == 1);
  CHECK(changes.put[0].state == "firing");
  CHECK(changes.put[0].pending_since == 0);
  CHECK(changes.put[0].annotations.at("summary") == "edited");
}

TEST_CASE("engine: a restarted leader neither fires again nor forgets a pending timer") {
  World first;
  first.rules[0].for_duration = 10s;
  first.sample(0, 95);
  first.tick(0);
  std::vector<sentinel::store::AlertInstanceRow> saved;
  for (const auto& [fingerprint, row] : first.engine.instances())
    saved.push_back(row);

  World second;
  second.rules = first.rules;
  second.engine.load(saved);
  second.sample(9000, 95);
  CHECK(second.tick(9000).outbox.empty());
  second.sample(10'000, 95);
  const auto fired = second.tick(10'000);
  CHECK(fired.outbox.size() == 2);
  // Loaded again while firing: no second notification.
  World third;
  third.rules = first.rules;
  std::vector<sentinel::store::AlertInstanceRow> firing;
  for (const auto& [fingerprint, row] : second.engine.instances())
    firing.push_back(row);
  third.engine.load(firing);
  third.sample(11'000, 95);
  CHECK(third.tick(11'000).outbox.empty());
}

TEST_CASE("engine: a deleted rule's instances resolve") {
  World w;
  w.sample(0, 95);
  w.tick(0);
  w.rules.clear();
  const auto changes = w.tick(1000);
  REQUIRE(changes.put.size() == 1);
  CHECK(changes.put[0].state == "resolved");
  CHECK(changes.outbox.empty());  // its notifiers are unknown now
}

TEST_CASE("engine: a transition names the notifiers it does not know, and goes to the others") {
  World w;
  w.notifiers.erase(w.notifiers.begin());  // "ops": made since the leader read the notifiers
  w.sample(1000, 95);
  const auto changes = w.tick(1000);
  CHECK(changes.unknown_notifiers == std::set<std::string>{"ops"});
  REQUIRE(changes.outbox.size() == 1);
  CHECK(changes.outbox[0].notifier_id == "ntf_2");
  // No transition, no notification: nothing to name.
  w.sample(2000, 96);
  CHECK(w.tick(2000).unknown_notifiers.empty());
}

TEST_CASE("engine: missing-data rules hold back while a new leader's windows fill") {
  World w;
  Rule offline;
  offline.id = "rul_off";
  offline.name = "Offline";
  offline.kind = RuleKind::kAgentOffline;
  offline.offline_after = 30s;
  w.rules = {offline};
  CHECK(w.tick(100'000, 120'000).put.empty());
  const auto changes = w.tick(130'000, 120'000);
  REQUIRE(changes.put.size() == 1);
  CHECK(changes.put[0].state == "firing");
}

TEST_CASE("engine: a pending instance whose breach ends is logged and deleted") {
  World w;
  w.rules[0].for_duration = 10s;
  w.sample(0, 95);
  w.tick(0);
  w.sample(1000, 50);
  const auto changes = w.tick(1000);
  REQUIRE(changes.events.size() == 1);
  CHECK(changes.events[0].state == "ok");
  CHECK(changes.events[0].previous_state == "pending");
  CHECK(changes.deleted.size() == 1);
  CHECK(changes.outbox.empty());
}

TEST_CASE("engine: a new leader keeps what it has not seen yet until its windows filled") {
  World first;
  first.sample(0, 95);
  first.tick(0);
  std::vector<sentinel::store::AlertInstanceRow> saved;
  for (const auto& [fingerprint, row] : first.engine.instances())
    saved.push_back(row);

  World second;  // empty windows
  second.rules = first.rules;
  second.engine.load(saved);
  // Warming up until 60 s: the firing instance is not resolved for lack of samples.
  CHECK(second.tick(10'000, 60'000).empty());
  CHECK(second.engine.instances().begin()->second.labels.at("alertname") == "HighCpu");
  // Once warm, a series still silent resolves, keeping its labels.
  const auto resolved = second.tick(70'000, 60'000);
  REQUIRE(resolved.put.size() == 1);
  CHECK(resolved.put[0].state == "resolved");
  CHECK(resolved.put[0].labels.at("team") == "infra");
}
