#include "evaluator.hpp"

#include <catch2/catch.hpp>

using namespace sentinel::alert;
using namespace std::chrono_literals;

namespace {

Rule threshold_rule(double threshold) {
  Rule rule;
  rule.id = "rul_cpu";
  rule.name = "cpu";
  rule.metric = "cpu_usage_percent";
  rule.aggregation = Aggregation::kAvg;
  rule.window = 10s;
  rule.op = Comparator::kGt;
  rule.threshold = threshold;
  return rule;
}

}  // namespace

TEST_CASE("evaluator: a threshold rule observes each series of its agents") {
  Windows windows(1min);
  windows.add({"agt_a", "cpu_usage_percent", {{"cpu", "total"}}}, {1000, 95});
  windows.add({"agt_b", "cpu_usage_percent", {{"cpu", "total"}}}, {1000, 50});
  windows.add({"agt_c", "cpu_usage_percent", {{"cpu", "total"}}}, {1000, 99});
  const std::vector<AgentInfo> agents = {{"agt_a", "web-1", {{"env", "prod"}}, 1000},
                                         {"agt_b", "web-2", {{"env", "prod"}}, 1000},
                                         {"agt_c", "db-1", {{"env", "prod"}}, 1000}};
  auto rule = threshold_rule(90);
  rule.agents.name = "web-*";
  const auto observations = Evaluator(windows, agents).evaluate(rule, 2000);
  REQUIRE(observations.size() == 2);
  CHECK(observations[0].agent_id == "agt_a");
  CHECK(observations[0].breached);
  CHECK(observations[0].value == 95);
  CHECK(observations[1].agent_id == "agt_b");
  CHECK_FALSE(observations[1].breached);
  CHECK(observations[0].fingerprint != observations[1].fingerprint);
}

TEST_CASE("evaluator: fingerprints ignore the rule's definition, not its identity") {
  const Labels labels = {{"mountpoint", "/"}};
  CHECK(fingerprint("rul_1", "agt_a", labels) == fingerprint("rul_1", "agt_a", labels));
  CHECK(fingerprint("rul_1", "agt_a", labels) != fingerprint("rul_2", "agt_a", labels));
  CHECK(fingerprint("rul_1", "agt_a", labels) != fingerprint("rul_1", "agt_b", labels));
  CHECK(fingerprint("rul_1", "agt_a", labels) != fingerprint("rul_1", "agt_a", {}));
  CHECK(fingerprint("rul_1", "agt_a", labels).size() == 32);
}

TEST_CASE("evaluator: a series without samples in the window yields nothing") {
  Windows windows(1min);
  windows.add({"agt_a", "cpu_usage_percent", {}}, {1000, 95});
  const std::vector<AgentInfo> agents = {{"agt_a", "a", {}, 0}};
  CHECK(Evaluator(windows, agents).evaluate(threshold_rule(90), 30'000).empty());
}

TEST_CASE("evaluator: agent offline and no data") {
  Windows windows(1min);
  windows.add({"agt_a", "cpu_usage_percent", {}}, {50'000, 1});
  const std::vector<AgentInfo> agents = {{"agt_a", "a", {}, 55'000}, {"agt_b", "b", {}, 10'000}};
  Rule offline;
  offline.id = "rul_off";
  offline.kind = RuleKind::kAgentOffline;
  offline.offline_after = 30s;
  const auto off = Evaluator(windows, agents).evaluate(offline, 60'000);
  REQUIRE(off.size() == 2);
  CHECK_FALSE(off[0].breached);
  CHECK(off[1].breached);
  CHECK(off[1].value == 50);  // seconds silent

  Rule nodata;
  nodata.id = "rul_nd";
  nodata.kind = RuleKind::kNoData;
  nodata.metric = "cpu_usage_percent";
  nodata.window = 20s;
  const auto nd = Evaluator(windows, agents).evaluate(nodata, 60'000);
  REQUIRE(nd.size() == 2);
  CHECK_FALSE(nd[0].breached);
  CHECK(nd[1].breached);
}

TEST_CASE("evaluator: absent fires for a series that went quiet") {
  Windows windows(1min);
  windows.add({"agt_a", "up", {}}, {1000, 1});
  Rule rule;
  rule.id = "rul_absent";
  rule.metric = "up";
  rule.aggregation = Aggregation::kAbsent;
  rule.window = 5s;
  const std::vector<AgentInfo> agents;
  CHECK_FALSE(Evaluator(windows, agents).evaluate(rule, 2000).at(0).breached);
  CHECK(Evaluator(windows, agents).evaluate(rule, 10'000).at(0).breached);
}
