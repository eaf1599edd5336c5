#include "sentinel/alert/rules_file.hpp"

#include <catch2/catch.hpp>

using namespace sentinel::alert;

namespace {

std::vector<std::string> errors_of(const std::string& yaml) {
  auto parsed = parse_rules_yaml(yaml, "rules.yml");
  REQUIRE(std::holds_alternative<RulesFileErrors>(parsed));
  return std::get<RulesFileErrors>(parsed).errors;
}

bool mentions(const std::vector<std::string>& errors, const std::string& text) {
  for (const auto& e : errors) {
    if (e.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("rules file: the shipped example is valid") {
  auto parsed = load_rules_file(SENTINEL_SOURCE_DIR "/config/rules.example.yml");
  if (auto* errors = std::get_if<RulesFileErrors>(&parsed)) {
    for (const auto& e : errors->errors)
      UNSCOPED_INFO(e);
  }
  REQUIRE(std::holds_alternative<std::vector<Rule>>(parsed));
  const auto& rules = std::get<std::vector<Rule>>(parsed);
  CHECK(rules.size() >= 4);
  bool offline = false, predict = false;
  for (const auto& rule : rules) {
    CHECK(rule.source == RuleSource::kFile);
    CHECK(rule.id == "file:" + rule.name);
    offline |= rule.kind == RuleKind::kAgentOffline;
    predict |= rule.aggregation == Aggregation::kPredictLinear;
  }
  CHECK(offline);
  CHECK(predict);
}

TEST_CASE("rules file: YAML scalars are typed") {
  auto parsed = parse_rules_yaml(R"(rules:
  - name: t
    metric: m
    threshold: 1.5e2
    enabled: false
    labels: {code: "404"}
)",
                                 "rules.yml");
  REQUIRE(std::holds_alternative<std::vector<Rule>>(parsed));
  const auto& rule = std::get<std::vector<Rule>>(parsed).at(0);
  CHECK(rule.threshold == 150);
  CHECK_FALSE(rule.enabled);
  CHECK(rule.labels.at("code") == "404");
}

TEST_CASE("rules file: errors name the file, the line and the field") {
  const auto errors = errors_of(R"(rules:
  - name: ok
    metric: m
    threshold: 1
  - name: bad
    metric: m
    threshold: "high"
)");
  REQUIRE(errors.size() == 1);
  CHECK(errors[0] == "rules.yml:5: rules[1].threshold: expected a number");
  CHECK(
      mentions(errors_of("rules: [{name: a, kind: agent_offline}, {name: a, kind: agent_offline}]"),
               "'a' appears twice"));
  CHECK(mentions(errors_of("rule: []"), "expected a map with one key"));
  CHECK(mentions(errors_of("rules:\n  - name: x\n    id: y\n    kind: agent_offline\n"),
                 "id and source are set by sentineld"));
  CHECK(mentions(errors_of("rules: [ {"), "rules.yml:"));
}
