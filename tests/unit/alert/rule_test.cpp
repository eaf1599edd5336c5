#include "sentinel/alert/rule.hpp"

#include <catch2/catch.hpp>

using namespace sentinel::alert;
using nlohmann::json;

namespace {

std::vector<RuleError> errors_of(const json& body) {
  auto parsed = parse_rule(body);
  REQUIRE(std::holds_alternative<std::vector<RuleError>>(parsed));
  return std::get<std::vector<RuleError>>(parsed);
}

bool has_error(const std::vector<RuleError>& errors, const std::string& field) {
  for (const auto& e : errors) {
    if (e.field == field) return true;
  }
  return false;
}

json cpu_rule() {
  return {{"name", "cpu"},
          {"metric", "cpu_usage_percent"},
          {"match", {"cpu=\"total\""}},
          {"op", ">"},
          {"threshold", 90},
          {"for", "5m"},
          {"window", "2m"},
          {"severity", "critical"},
          {"notifiers", {"ops"}},
          {"annotations", {{"summary", "{{ $agent }} at {{ $value }}"}}}};
}

}  // namespace

TEST_CASE("rule: a complete threshold rule parses") {
  auto parsed = parse_rule(cpu_rule());
  REQUIRE(std::holds_alternative<Rule>(parsed));
  const auto& rule = std::get<Rule>(parsed);
  CHECK(rule.name == "cpu");
  CHECK(rule.kind == RuleKind::kThreshold);
  CHECK(rule.op == Comparator::kGt);
  CHECK(rule.threshold == 90);
  CHECK(rule.for_duration == std::chrono::minutes(5));
  CHECK(rule.window == std::chrono::minutes(2));
  CHECK(rule.severity == Severity::kCritical);
  CHECK(rule.agents.name == "*");
  REQUIRE(rule.match.size() == 1);
  CHECK(rule.match[0].matches({{"cpu", "total"}}));
  CHECK_FALSE(rule.match[0].matches({{"cpu", "cpu0"}}));
}

TEST_CASE("rule: JSON round trip") {
  auto body = cpu_rule();
  body["agents"] = {{"name", "web-*"}, {"labels", {"env=~\"prod|stage\""}}};
  body["keep_firing_for"] = "1m";
  body["aggregation"] = "predict_linear";
  body["predict_ahead"] = "4h";
  const auto first = std::get<Rule>(parse_rule(body));
  const auto again = parse_rule(rule_to_json(first));
  REQUIRE(std::holds_alternative<Rule>(again));
  CHECK(std::get<Rule>(again) == first);
}

TEST_CASE("rule: errors name the field") {
  auto body = cpu_rule();
  body["threshold"] = "high";
  body["op"] = "=>";
  body["for"] = "5 minutes";
  body["severity"] = "urgent";
  body["match"] = {"cpu=\"total\"", "no operator"};
  body["annotations"]["summary"] = "{{ $nope }}";
  body["colour"] = "red";
  const auto errors = errors_of(body);
  for (const auto* field :
       {"threshold", "op", "for", "severity", "match[1]", "annotations.summary", "colour"}) {
    INFO(field);
    CHECK(has_error(errors, field));
  }
}

TEST_CASE("rule: required fields by kind") {
  CHECK(has_error(errors_of(json::object()), "name"));
  CHECK(has_error(errors_of({{"name", "x"}}), "metric"));
  CHECK(has_error(errors_of({{"name", "x"}, {"metric", "m"}}), "threshold"));
  CHECK(has_error(errors_of({{"name", "x"}, {"metric", "9bad"}, {"threshold", 1}}), "metric"));
  CHECK(has_error(
      errors_of(
          {{"name", "x"}, {"metric", "m"}, {"threshold", 1}, {"aggregation", "predict_linear"}}),
      "predict_ahead"));
  CHECK(has_error(errors_of({{"name", "x"}, {"kind", "agent_offline"}, {"offline_after", "0s"}}),
                  "offline_after"));
  CHECK(has_error(errors_of({{"name", "x"}, {"kind", "nope"}}), "kind"));
  CHECK(has_error(errors_of({{"name", "x"}, {"kind", "agent_offline"}, {"agents", {{"nam", "a"}}}}),
                  "agents.nam"));
  CHECK(has_error(
      errors_of({{"name", "x"}, {"kind", "agent_offline"}, {"agents", {{"labels", {"?"}}}}}),
      "agents.labels[0]"));
}

TEST_CASE("rule: offline and no-data rules need no threshold") {
  CHECK(std::holds_alternative<Rule>(parse_rule({{"name", "off"}, {"kind", "agent_offline"}})));
  CHECK(std::holds_alternative<Rule>(
      parse_rule({{"name", "nd"}, {"kind", "no_data"}, {"metric", "cpu_usage_percent"}})));
  CHECK(std::holds_alternative<Rule>(
      parse_rule({{"name", "ab"}, {"metric", "up"}, {"aggregation", "absent"}})));
}

TEST_CASE("rule: label matchers") {
  auto eq = LabelMatcher::parse("mount=\"/\"");
  auto ne = LabelMatcher::parse("fstype != \"tmpfs\"");
  auto re = LabelMatcher::parse("device=~\"sd[a-z]+\"");
  auto nre = LabelMatcher::parse("device!~\"loop.*\"");
  REQUIRE((eq && ne && re && nre));
  CHECK(eq->matches({{"mount", "/"}}));
  CHECK_FALSE(eq->matches({}));
  CHECK(ne->matches({{"fstype", "ext4"}}));
  CHECK(re->matches({{"device", "sda"}}));
  CHECK_FALSE(re->matches({{"device", "xsda"}}));  // anchored
  CHECK(nre->matches({{"device", "sda"}}));
  CHECK_FALSE(nre->matches({{"device", "loop0"}}));
  CHECK(LabelMatcher::parse(re->to_string())->to_string() == re->to_string());
  CHECK_FALSE(LabelMatcher::parse("x=~\"(\""));
  CHECK_FALSE(LabelMatcher::parse("1x=\"a\""));
}

TEST_CASE("rule: agent selectors and globs") {
  CHECK(glob_match("*", "anything"));
  CHECK(glob_match("web-*", "web-01"));
  CHECK(glob_match("web-?1", "web-01"));
  CHECK_FALSE(glob_match("web-*", "db-01"));
  CHECK(glob_match("*-prod-*", "eu-prod-7"));
  AgentSelector selector{"web-*", {*LabelMatcher::parse("env=\"prod\"")}};
  CHECK(selector.matches("agt_x", "web-1", {{"env", "prod"}}));
  CHECK_FALSE(selector.matches("agt_x", "web-1", {{"env", "dev"}}));
  CHECK_FALSE(selector.matches("agt_x", "db-1", {{"env", "prod"}}));
}
