#include <set>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "backends.hpp"

using namespace sentinel;
using namespace sentinel::store;
using namespace sentinel::store::test;

namespace {

HostFacts sample_facts() {
  return {"linux", "6.1.0", "1.2.3", 12.5, 40.25, 71.0, 0.5, 0.75, 1.25, 86'400, 8, 3, 4096};
}

template <class Backend>
struct Fleet {
  Backend backend;
  std::unique_ptr<OpenStore> store = backend.open();

  void create(const Agent& agent) { create_agent(*store, agent); }
  std::optional<Agent> get(const std::string& id) { return find_agent(*store, id); }
  core::Result<AgentPage> list(AgentFilter filter, PageRequest page) {
    return store->run([&](Session& s) { return s.agents().list(filter, page); }, Access::kRead);
  }
};

std::vector<std::string> names(const AgentPage& page) {
  std::vector<std::string> names;
  for (const auto& agent : page.agents)
    names.push_back(agent.name);
  return names;
}

}  // namespace

TEMPLATE_TEST_CASE("agents: what is created is read back field for field", "[agents]",
                   SqliteBackend, PostgresBackend) {
  Fleet<TestType> fleet;
  auto agent = test_agent("alpha");
  agent.last_seen = 1'700'000'001'001;
  agent.facts_at = 1'700'000'000'999;
  agent.facts = sample_facts();
  fleet.create(agent);
  CHECK(fleet.get(agent.id) == agent);

  auto bare = test_agent("bare");
  bare.labels.clear();
  bare.enabled = false;
  fleet.create(bare);
  CHECK(fleet.get(bare.id) == bare);
  CHECK_FALSE(fleet.get("agt_missing"));
}

TEMPLATE_TEST_CASE("agents: creating an existing id is a conflict and changes nothing", "[agents]",
                   SqliteBackend, PostgresBackend) {
  Fleet<TestType> fleet;
  const auto agent = test_agent("alpha");
  fleet.create(agent);
  auto impostor = test_agent("impostor");
  impostor.id = agent.id;
  auto second = fleet.store->run([&](Session& s) {
    s.agents().create(impostor);
    return core::Unit{};
  });
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == "conflict");
  CHECK_FALSE(second.error().transient);
  CHECK(fleet.get(agent.id)->name == "alpha");
}

TEMPLATE_TEST_CASE("agents: list filters and pages by keyset without gaps or repeats", "[agents]",
                   SqliteBackend, PostgresBackend) {
  Fleet<TestType> fleet;
  std::set<std::string> all;
  for (int i = 0; i < 7; ++i) {
    auto agent = test_agent(fmt::format("node-{}", i));
    agent.enabled = i % 3 != 0;  // 0, 3, 6 disabled
    if (i == 4) agent.hostname = "DB-Primary.example.org";
    fleet.create(agent);
    all.insert(agent.name);
  }

  std::set<std::string> seen;
  PageRequest page{3, ""};
  int pages = 0;
  do {
    auto got = fleet.list({}, page);
    REQUIRE(got.ok());
    CHECK(got->agents.size() <= 3);
    for (const auto& agent : got->agents)
      CHECK(seen.insert(agent.name).second);
    page.cursor = got->next_cursor;
    ++pages;
  } while (!page.cursor.empty());
  CHECK(pages == 3);
  CHECK(seen == all);

  auto disabled = fleet.list({false, ""}, {100, ""});
  REQUIRE(disabled.ok());
  CHECK(names(*disabled).size() == 3);
  auto enabled = fleet.list({true, ""}, {100, ""});
  CHECK(names(*enabled).size() == 4);

  auto by_host = fleet.list({std::nullopt, "db-prim"}, {100, ""});
  CHECK(names(*by_host) == std::vector<std::string>{"node-4"});
  auto by_name = fleet.list({false, "NODE-"}, {100, ""});
  CHECK(names(*by_name).size() == 3);
  auto wildcard = fleet.list({std::nullopt, "node_"}, {100, ""});
  CHECK(wildcard->agents.empty());  // '_' is a character here, not LIKE's wildcard

  auto foreign = fleet.list({}, {3, "not-a-cursor"});
  REQUIRE_FALSE(foreign.ok());
  CHECK(foreign.error().code == "invalid_argument");
}

TEMPLATE_TEST_CASE("agents: update changes only the fields given; delete removes", "[agents]",
                   SqliteBackend, PostgresBackend) {
  Fleet<TestType> fleet;
  auto agent = test_agent("alpha");
  fleet.create(agent);

  auto renamed = fleet.store->run([&](Session& s) {
    return s.agents().update(agent.id, {"beta", std::nullopt, std::nullopt});
  });
  CHECK(*renamed);
  agent.name = "beta";
  CHECK(fleet.get(agent.id) == agent);

  AgentUpdate relabel;
  relabel.labels = std::map<std::string, std::string>{{"tier", "1"}};
  relabel.enabled = false;
  auto relabelled =
      fleet.store->run([&](Session& s) { return s.agents().update(agent.id, relabel); });
  CHECK(*relabelled);
  agent.labels = {{"tier", "1"}};
  agent.enabled = false;
  CHECK(fleet.get(agent.id) == agent);

  auto missing = fleet.store->run([&](Session& s) {
    return s.agents().update("agt_missing", {"x", std::nullopt, true});
  });
  CHECK_FALSE(*missing);

  auto removed = fleet.store->run([&](Session& s) { return s.agents().remove(agent.id); });
  CHECK(*removed);
  CHECK_FALSE(fleet.get(agent.id));
  auto again = fleet.store->run([&](Session& s) { return s.agents().remove(agent.id); });
  CHECK_FALSE(*again);
}

TEMPLATE_TEST_CASE("agents: heartbeats store facts; last_seen only moves forward", "[agents]",
                   SqliteBackend, PostgresBackend) {
  Fleet<TestType> fleet;
  const auto agent = test_agent("alpha");
  const auto other = test_agent("other");
  fleet.create(agent);
  fleet.create(other);

  const auto facts = sample_facts();
  auto beat = fleet.store->run(
      [&](Session& s) { return s.agents().record_heartbeat(agent.id, facts, 1'700'000'100'000); });
  CHECK(*beat);
  auto after = fleet.get(agent.id);
  CHECK(after->facts == facts);
  CHECK(after->facts_at == 1'700'000'100'000);
  CHECK(after->last_seen == 1'700'000'100'000);

  auto late = fleet.store->run(
      [&](Session& s) { return s.agents().record_heartbeat(agent.id, facts, 1'700'000'050'000); });
  CHECK(*late);
  CHECK(fleet.get(agent.id)->last_seen == 1'700'000'100'000);

  auto unknown = fleet.store->run(
      [&](Session& s) { return s.agents().record_heartbeat("agt_missing", facts, 1); });
  CHECK_FALSE(*unknown);

  const std::vector<std::string> ids = {agent.id, other.id, "agt_missing"};
  auto touched = fleet.store->run(
      [&](Session& s) { return s.agents().touch_last_seen(ids, 1'700'000'200'000); });
  CHECK(*touched == 2);
  CHECK(fleet.get(agent.id)->last_seen == 1'700'000'200'000);
  CHECK(fleet.get(other.id)->last_seen == 1'700'000'200'000);
  CHECK(fleet.get(other.id)->facts_at == std::nullopt);

  auto backwards = fleet.store->run(
      [&](Session& s) { return s.agents().touch_last_seen(ids, 1'600'000'000'000); });
  CHECK(*backwards == 2);
  CHECK(fleet.get(agent.id)->last_seen == 1'700'000'200'000);
}

TEMPLATE_TEST_CASE("agents: put inserts an agent, then replaces every field", "[agents]",
                   SqliteBackend, PostgresBackend) {
  Fleet<TestType> fleet;
  auto agent = test_agent("alpha");
  auto put = [&] {
    REQUIRE(fleet.store->run([&](Session& s) { return (s.agents().put(agent), core::Unit{}); }));
  };
  put();
  CHECK(fleet.get(agent.id) == agent);
  agent.name = "renamed";
  agent.labels = {{"dc", "us-2"}};
  agent.enabled = false;
  agent.last_seen = 1'700'000'009'000;
  agent.facts_at = 1'700'000'008'000;
  agent.facts = sample_facts();
  put();
  CHECK(fleet.get(agent.id) == agent);
}
