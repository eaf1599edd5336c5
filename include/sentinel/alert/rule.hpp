#pragma once
// An alert rule: what to watch (agents, a metric and its labels), how to reduce a window of
// samples to one value, when that value is a breach, and what to say when it is. Rules come from
// the REST API (stored in `alert_rules`) or from a YAML rules file (read-only in the API); both
// are parsed and validated by parse_rule(), whose errors name the offending field.

#include <chrono>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "sentinel/core/config_types.hpp"

namespace sentinel::alert {

using Labels = std::map<std::string, std::string>;

enum class RuleKind { kThreshold, kAgentOffline, kNoData };
enum class Aggregation { kAvg, kMin, kMax, kLast, kCount, kSum, kRate, kAbsent, kPredictLinear };
enum class Comparator { kGt, kGe, kLt, kLe, kEq, kNe };
enum class Severity { kInfo, kWarning, kCritical };
enum class RuleSource { kApi, kFile };

std::string_view to_string(RuleKind kind);
std::string_view to_string(Aggregation aggregation);
std::string_view to_string(Comparator comparator);
std::string_view to_string(Severity severity);
std::string_view to_string(RuleSource source);
std::optional<Severity> severity_from_string(std::string_view text);
bool compare(Comparator comparator, double value, double threshold);

// One label condition, written as in PromQL: `mount="/"`, `fstype!="tmpfs"`, `env=~"prod|stage"`,
// `device!~"loop.*"`. A missing label reads as the empty string.
class LabelMatcher {
 public:
  enum class Op { kEq, kNe, kRegex, kNotRegex };
  // nullopt when `text` is not of that form or its regular expression does not compile.
  static std::optional<LabelMatcher> parse(std::string_view text);

  bool matches(const Labels& labels) const;
  std::string to_string() const;
  const std::string& name() const { return name_; }
  bool operator==(const LabelMatcher& other) const { return to_string() == other.to_string(); }

 private:
  std::string name_;
  Op op_ = Op::kEq;
  std::string value_;
  std::regex regex_;  // anchored, for the regex operators
};

bool matches_all(const std::vector<LabelMatcher>& matchers, const Labels& labels);

// Which agents a rule watches: a glob on the agent id or name (`*`, `web-*`) and matchers on the
// agent's labels.
struct AgentSelector {
  std::string name = "*";
  std::vector<LabelMatcher> labels;
  bool matches(std::string_view agent_id, std::string_view agent_name,
               const Labels& agent_labels) const;
  bool operator==(const AgentSelector&) const = default;
};

// `*` any run of characters, `?` one character; everything else literal.
bool glob_match(std::string_view pattern, std::string_view text);

struct Rule {
  std::string id;  // "rul_..." for API rules, "file:<name>" for file rules; stable across edits
  std::string name;
  RuleSource source = RuleSource::kApi;
  RuleKind kind = RuleKind::kThreshold;
  AgentSelector agents;
  std::string metric;
  std::vector<LabelMatcher> match;
  Aggregation aggregation = Aggregation::kAvg;
  core::Duration window = std::chrono::minutes(5);
  core::Duration predict_ahead{0};  // predict_linear: how far ahead the value is projected
  Comparator op = Comparator::kGt;
  double threshold = 0;
  core::Duration offline_after = std::chrono::minutes(2);  // agent_offline
  core::Duration for_duration{0};
  core::Duration keep_firing_for{0};
  Severity severity = Severity::kWarning;
  Labels labels;
  Labels annotations;  // templates, rendered per instance
  std::vector<std::string> notifiers;
  core::Duration repeat_interval = std::chrono::hours(4);
  bool enabled = true;

  bool operator==(const Rule&) const = default;
};

struct RuleError {
  std::string field;  // "threshold", "annotations.summary", "match[1]"
  std::string message;
  std::string to_string() const { return field + ": " + message; }
};

// Parses and validates a rule given as JSON (the API's body, or a YAML document converted to
// JSON). Unknown fields are errors. Returns every problem found, or the rule.
std::variant<Rule, std::vector<RuleError>> parse_rule(const nlohmann::json& body);
// The rule in the JSON form parse_rule() reads; parse_rule(rule_to_json(r)) == r.
nlohmann::json rule_to_json(const Rule& rule);

}  // namespace sentinel::alert
