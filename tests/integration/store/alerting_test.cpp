// The alerting repositories' contract, each case on SQLite and PostgreSQL.

#include <catch2/catch.hpp>

#include "backends.hpp"

using namespace sentinel;
using namespace sentinel::store;
using namespace sentinel::store::test;

namespace {

constexpr std::int64_t kNow = 1'700'000'000'123;

template <class Backend>
struct Alerting {
  Backend backend;
  std::unique_ptr<OpenStore> store = backend.open();

  template <class Work>
  auto value(Work work) {
    auto result = store->run(work);
    if (!result) FAIL(result.error().code << ": " << result.error().message);
    return std::move(*result);
  }
};

AlertRuleRow rule(const std::string& id, const std::string& name, const std::string& source) {
  return {id, name, source, R"({"name": ")" + name + R"(", "metric": "m"})", true, kNow, kNow};
}

AlertInstanceRow instance(const std::string& fingerprint) {
  AlertInstanceRow r;
  r.fingerprint = fingerprint;
  r.rule_id = "rul_1";
  r.rule_name = "cpu";
  r.agent_id = "agt_1";
  r.labels = {{"cpu", "total"}};
  r.annotations = {{"summary", "busy"}};
  r.severity = "critical";
  r.state = "firing";
  r.value = 97.5;
  r.pending_since = kNow - 60'000;
  r.firing_since = kNow;
  r.last_breach = kNow;
  r.last_notified_at = kNow;
  r.updated_at = kNow;
  return r;
}

AlertEventRow event(const std::string& state, const std::string& agent, std::int64_t at) {
  AlertEventRow e;
  e.fingerprint = "fp_" + agent;
  e.rule_id = "rul_1";
  e.rule_name = "cpu";
  e.agent_id = agent;
  e.severity = state == "firing" ? "critical" : "warning";
  e.state = state;
  e.previous_state = "pending";
  e.value = 1.5;
  e.labels = {{"a", "b"}};
  e.silenced = agent == "agt_silenced";
  e.at = at;
  return e;
}

OutboxRow outbox_row(const std::string& notifier, std::int64_t due) {
  return {0, notifier, "rul_1/" + notifier, R"({"alerts": [1, 2]})", 0, due, kNow, ""};
}

}  // namespace

TEMPLATE_TEST_CASE("alerting: rules are put, replaced, listed and deleted", "[alerting]",
                   SqliteBackend, PostgresBackend) {
  Alerting<TestType> a;
  const auto api = rule("rul_1", "cpu", "api");
  a.value([&](Session& s) {
    s.alerts().put_rule(api);
    s.alerts().put_rule(rule("file:disk", "disk", "file"));
    s.alerts().put_rule(rule("file:mem", "mem", "file"));
    return core::Unit{};
  });
  CHECK(a.value([&](Session& s) { return s.alerts().get_rule("rul_1"); }) == api);
  auto edited = api;
  edited.definition = R"({"name": "cpu", "metric": "other"})";
  edited.updated_at = kNow + 5;
  a.value([&](Session& s) { return (s.alerts().put_rule(edited), core::Unit{}); });
  CHECK(a.value([&](Session& s) { return s.alerts().get_rule("rul_1"); }) == edited);

  // A second rule with a taken name is a conflict.
  auto clash = a.store->run([&](Session& s) {
    s.alerts().put_rule(rule("rul_2", "cpu", "api"));
    return core::Unit{};
  });
  REQUIRE_FALSE(clash);
  CHECK(clash.error().code == "conflict");

  // Reloading the file keeps the API rules and makes the file rules exactly the new set.
  const std::vector<AlertRuleRow> file = {rule("file:disk", "disk", "file"),
                                          rule("file:swap", "swap", "file")};
  a.value([&](Session& s) { return (s.alerts().replace_file_rules(file), core::Unit{}); });
  std::vector<std::string> ids;
  for (const auto& r : a.value([&](Session& s) { return s.alerts().list_rules(); }))
    ids.push_back(r.id);
  CHECK(ids == std::vector<std::string>{"rul_1", "file:disk", "file:swap"});
  CHECK(a.value([&](Session& s) { return s.alerts().delete_rule("rul_1"); }));
  CHECK_FALSE(a.value([&](Session& s) { return s.alerts().delete_rule("rul_1"); }));
}

TEMPLATE_TEST_CASE("alerting: instance state round-trips and is acknowledged", "[alerting]",
                   SqliteBackend, PostgresBackend) {
  Alerting<TestType> a;
  const auto firing = instance("fp1");
  a.value([&](Session& s) { return (s.alerts().put_instance(firing), core::Unit{}); });
  CHECK(a.value([&](Session& s) { return s.alerts().get_instance("fp1"); }) == firing);

  auto resolved = firing;
  resolved.state = "resolved";
  resolved.resolved_at = kNow + 1000;
  a.value([&](Session& s) { return (s.alerts().put_instance(resolved), core::Unit{}); });
  a.value([&](Session& s) { return (s.alerts().put_instance(instance("fp0")), core::Unit{}); });
  const auto all = a.value([&](Session& s) { return s.alerts().list_instances(); });
  REQUIRE(all.size() == 2);
  CHECK(all[0].fingerprint == "fp0");
  CHECK(all[1] == resolved);

  CHECK(a.value([&](Session& s) { return s.alerts().acknowledge("fp1", "alice", "on it", kNow); }));
  CHECK_FALSE(a.value([&](Session& s) { return s.alerts().acknowledge("fpX", "a", "", kNow); }));
  const auto acked = a.value([&](Session& s) { return s.alerts().get_instance("fp1"); });
  CHECK(acked->acked_at == kNow);
  CHECK(acked->acked_by == "alice");
  CHECK(acked->ack_note == "on it");
  // An evaluation that had not seen the acknowledgement keeps it within the episode...
  auto unaware = resolved;
  unaware.value = 1;
  a.value([&](Session& s) { return (s.alerts().put_instance(unaware), core::Unit{}); });
  CHECK(a.value([&](Session& s) { return s.alerts().get_instance("fp1"); })->acked_by == "alice");
  // ...and a new episode clears it.
  auto again = unaware;
  again.state = "firing";
  again.firing_since = kNow + 5000;
  a.value([&](Session& s) { return (s.alerts().put_instance(again), core::Unit{}); });
  CHECK(a.value([&](Session& s) { return s.alerts().get_instance("fp1"); }) == again);
  CHECK(a.value([&](Session& s) { return s.alerts().delete_instance("fp1"); }));
  CHECK_FALSE(a.value([&](Session& s) { return s.alerts().get_instance("fp1"); }));
}

TEMPLATE_TEST_CASE("alerting: events filter in combination and page newest first", "[alerting]",
                   SqliteBackend, PostgresBackend) {
  Alerting<TestType> a;
  std::vector<std::int64_t> ids;
  a.value([&](Session& s) {
    ids.push_back(s.alerts().append_event(event("firing", "agt_1", kNow)));
    ids.push_back(s.alerts().append_event(event("resolved", "agt_1", kNow + 1000)));
    ids.push_back(s.alerts().append_event(event("firing", "agt_2", kNow + 2000)));
    ids.push_back(s.alerts().append_event(event("firing", "agt_silenced", kNow + 3000)));
    return core::Unit{};
  });
  CHECK(ids[0] < ids[1]);

  auto page = [&](AlertEventFilter filter, PageRequest request) {
    return a.value([&](Session& s) { return s.alerts().list_events(filter, request); });
  };
  const auto first = page({}, {2, ""});
  REQUIRE(first.events.size() == 2);
  CHECK(first.events[0].agent_id == "agt_silenced");
  CHECK(first.events[0].silenced);
  CHECK(first.events[0].at == kNow + 3000);
  const auto second = page({}, {2, first.next_cursor});
  REQUIRE(second.events.size() == 2);
  CHECK(second.events[1].id == ids[0]);
  CHECK(second.events[1] == [&] {
    auto e = event("firing", "agt_1", kNow);
    e.id = ids[0];
    return e;
  }());
  CHECK(second.next_cursor.empty());

  AlertEventFilter firing_agt1;
  firing_agt1.state = "firing";
  firing_agt1.agent_id = "agt_1";
  CHECK(page(firing_agt1, {10, ""}).events.size() == 1);
  AlertEventFilter window;
  window.from = kNow + 1000;
  window.to = kNow + 2000;
  window.severity = "critical";
  const auto in_window = page(window, {10, ""});
  REQUIRE(in_window.events.size() == 1);
  CHECK(in_window.events[0].agent_id == "agt_2");

  auto bad = a.store->run([&](Session& s) { return s.alerts().list_events({}, {1, "junk"}); });
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "invalid_argument");
}

TEMPLATE_TEST_CASE("alerting: silences are listed while they last and expire", "[alerting]",
                   SqliteBackend, PostgresBackend) {
  Alerting<TestType> a;
  const SilenceRow current{"sil_1",     {"agent=\"web-1\"", "severity=~\"warning|info\""},
                           kNow - 1000, kNow + 60'000,
                           "deploy",    "alice",
                           kNow - 1000};
  const SilenceRow past{"sil_2", {"rule=\"x\""}, kNow - 9000, kNow - 5000, "", "bob", kNow - 9000};
  a.value([&](Session& s) {
    s.silences().create(current);
    s.silences().create(past);
    return core::Unit{};
  });
  CHECK(a.value([&](Session& s) { return s.silences().get("sil_1"); }) == current);
  CHECK(a.value([&](Session& s) { return s.silences().list(kNow); }) ==
        std::vector<SilenceRow>{current});
  CHECK(a.value([&](Session& s) { return s.silences().list(std::nullopt); }).size() == 2);
  CHECK(a.value([&](Session& s) { return s.silences().expire("sil_1", kNow); }));
  CHECK(a.value([&](Session& s) { return s.silences().list(kNow); }).empty());
  CHECK(a.value([&](Session& s) { return s.silences().get("sil_1"); })->ends_at == kNow);
  CHECK_FALSE(a.value([&](Session& s) { return s.silences().expire("sil_9", kNow); }));
}

TEMPLATE_TEST_CASE("alerting: notifiers keep sealed bytes exactly", "[alerting]", SqliteBackend,
                   PostgresBackend) {
  Alerting<TestType> a;
  NotifierRow n{"ntf_1",
                "ops-slack",
                "slack",
                R"({"channel": "#ops"})",
                std::string("\x00\x01\xff sealed", 10),
                false,
                500,
                3'600'000,
                true,
                kNow,
                kNow};
  a.value([&](Session& s) { return (s.notifiers().put(n), core::Unit{}); });
  CHECK(a.value([&](Session& s) { return s.notifiers().get("ntf_1"); }) == n);
  n.settings = R"({"channel": "#alerts"})";
  n.updated_at = kNow + 1;
  a.value([&](Session& s) { return (s.notifiers().put(n), core::Unit{}); });
  CHECK(a.value([&](Session& s) { return s.notifiers().list(); }) == std::vector<NotifierRow>{n});
  CHECK(a.value([&](Session& s) { return s.notifiers().remove("ntf_1"); }));
  CHECK(a.value([&](Session& s) { return s.notifiers().list(); }).empty());
}

TEMPLATE_TEST_CASE("alerting: the outbox retries, dead-letters, replays and drops", "[alerting]",
                   SqliteBackend, PostgresBackend) {
  Alerting<TestType> a;
  std::int64_t first = 0, second = 0;
  a.value([&](Session& s) {
    first = s.outbox().enqueue(outbox_row("ntf_a", kNow));
    second = s.outbox().enqueue(outbox_row("ntf_b", kNow + 10'000));
    return core::Unit{};
  });
  auto due = a.value([&](Session& s) { return s.outbox().due(kNow, 10); });
  REQUIRE(due.size() == 1);
  CHECK(due[0].id == first);
  CHECK(due[0].payload == R"({"alerts": [1, 2]})");
  CHECK(a.value([&](Session& s) { return s.outbox().oldest_pending(); }) == kNow);

  a.value([&](Session& s) {
    s.outbox().reschedule(first, 1, kNow + 20'000, "HTTP 500");
    s.outbox().record_attempt({first, "ntf_a", 1, kNow, "failed", 500, "HTTP 500", 12});
    return core::Unit{};
  });
  CHECK(a.value([&](Session& s) { return s.outbox().due(kNow + 10'000, 10); }).at(0).id == second);
  CHECK(a.value([&](Session& s) { return s.outbox().history(first); }) ==
        std::vector<DeliveryAttemptRow>{{first, "ntf_a", 1, kNow, "failed", 500, "HTTP 500", 12}});

  CHECK(
      a.value([&](Session& s) { return s.outbox().move_to_dead_letters(first, "gave up", kNow); }));
  CHECK_FALSE(
      a.value([&](Session& s) { return s.outbox().move_to_dead_letters(first, "", kNow); }));
  CHECK(a.value([&](Session& s) { return s.outbox().dead_letter_count(); }) == 1);
  const auto dead = a.value([&](Session& s) { return s.outbox().dead_letters(10); });
  REQUIRE(dead.size() == 1);
  CHECK(dead[0] == DeadLetterRow{first, "ntf_a", "rul_1/ntf_a", R"({"alerts": [1, 2]})", 1,
                                 "gave up", kNow, kNow});

  CHECK(a.value([&](Session& s) { return s.outbox().replay(first, kNow + 50); }));
  CHECK(a.value([&](Session& s) { return s.outbox().dead_letter_count(); }) == 0);
  const auto back = a.value([&](Session& s) { return s.outbox().due(kNow + 50, 10); });
  REQUIRE(back.size() == 1);
  CHECK(back[0].id == first);
  CHECK(back[0].attempts == 0);

  CHECK(a.value([&](Session& s) { return s.outbox().complete(second); }));
  CHECK(a.value([&](Session& s) { return s.outbox().move_to_dead_letters(first, "x", kNow); }));
  CHECK(a.value([&](Session& s) { return s.outbox().drop(first); }));
  CHECK_FALSE(a.value([&](Session& s) { return s.outbox().replay(first, kNow); }));
  CHECK(a.value([&](Session& s) { return s.outbox().pending(); }).empty());
  CHECK_FALSE(a.value([&](Session& s) { return s.outbox().oldest_pending(); }));
}

TEMPLATE_TEST_CASE("alerting: a state change and its notification commit together", "[alerting]",
                   SqliteBackend, PostgresBackend) {
  Alerting<TestType> a;
  auto failed = a.store->run([&](Session& s) {
    s.transaction([&] {
      s.alerts().put_instance(instance("fp1"));
      s.outbox().enqueue(outbox_row("ntf_a", kNow));
      throw StoreError("constraint", "the evaluation failed half-way", false);
    });
    return core::Unit{};
  });
  REQUIRE_FALSE(failed);
  CHECK(a.value([&](Session& s) { return s.alerts().list_instances(); }).empty());
  CHECK(a.value([&](Session& s) { return s.outbox().pending(); }).empty());
}

TEMPLATE_TEST_CASE("alerting: put inserts a silence, then replaces it", "[alerting]", SqliteBackend,
                   PostgresBackend) {
  Alerting<TestType> a;
  SilenceRow silence{"sil_1", {"agent=\"web-1\""}, kNow, kNow + 60'000, "deploy", "alice", kNow};
  a.value([&](Session& s) { return (s.silences().put(silence), core::Unit{}); });
  silence.matchers = {"rule=\"cpu\"", "severity=\"warning\""};
  silence.ends_at = kNow + 1;
  silence.comment = "shortened";
  a.value([&](Session& s) { return (s.silences().put(silence), core::Unit{}); });
  CHECK(a.value([](Session& s) { return s.silences().list(std::nullopt); }) ==
        std::vector<SilenceRow>{silence});
}
