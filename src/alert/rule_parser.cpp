// parse_rule(): a JSON object in, a validated Rule or every problem with its field out.

#include <cctype>
#include <set>

#include <fmt/format.h>

#include "sentinel/alert/rule.hpp"
#include "sentinel/alert/template.hpp"

namespace sentinel::alert {
namespace {

using nlohmann::json;

// Reads the fields of one JSON object, remembering which it read (the rest are unknown) and
// collecting errors instead of stopping at the first.
class FieldReader {
 public:
  // `prefix` names the object in errors: "" for the rule, "agents." for a nested one.
  FieldReader(const json& object, std::vector<RuleError>& errors, std::string prefix = {})
      : object_(object), errors_(errors), prefix_(std::move(prefix)) {}

  const json* find(const std::string& field) {
    read_.insert(field);
    const auto it = object_.find(field);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }
  void fail(std::string field, std::string message) {
    errors_.push_back({prefix_ + field, std::move(message)});
  }

  void string(const std::string& field, std::string& out) {
    if (const auto* v = find(field)) {
      if (v->is_string()) {
        out = v->get<std::string>();
      } else {
        fail(field, "expected a string");
      }
    }
  }
  void boolean(const std::string& field, bool& out) {
    if (const auto* v = find(field)) {
      if (v->is_boolean()) {
        out = v->get<bool>();
      } else {
        fail(field, "expected true or false");
      }
    }
  }
  void number(const std::string& field, double& out) {
    if (const auto* v = find(field)) {
      if (v->is_number()) {
        out = v->get<double>();
      } else {
        fail(field, "expected a number");
      }
    }
  }
  void duration(const std::string& field, core::Duration& out) {
    if (const auto* v = find(field)) {
      auto parsed = v->is_string() ? core::parse_duration(v->get<std::string>()) : std::nullopt;
      if (parsed && parsed->count() >= 0) {
        out = *parsed;
      } else {
        fail(field, "expected a duration such as \"30s\", \"5m\" or \"1h\"");
      }
    }
  }
  void string_map(const std::string& field, Labels& out) {
    if (const auto* v = find(field)) {
      if (!v->is_object()) return fail(field, "expected a map of strings");
      for (const auto& [key, value] : v->items()) {
        if (!value.is_string()) {
          fail(field + "." + key, "expected a string");
        } else {
          out[key] = value.get<std::string>();
        }
      }
    }
  }
  void string_list(const std::string& field, std::vector<std::string>& out) {
    if (const auto* v = find(field)) {
      if (!v->is_array()) return fail(field, "expected a list of strings");
      for (std::size_t i = 0; i < v->size(); ++i) {
        if ((*v)[i].is_string()) {
          out.push_back((*v)[i].get<std::string>());
        } else {
          fail(fmt::format("{}[{}]", field, i), "expected a string");
        }
      }
    }
  }
  void matchers(const std::string& field, std::vector<LabelMatcher>& out) {
    std::vector<std::string> texts;
    string_list(field, texts);
    for (std::size_t i = 0; i < texts.size(); ++i) {
      if (auto matcher = LabelMatcher::parse(texts[i])) {
        out.push_back(std::move(*matcher));
      } else {
        fail(
            fmt::format("{}[{}]", field, i),
            "expected a matcher such as name=\"value\", name!=\"v\", name=~\"re\" or name!~\"re\"");
      }
    }
  }
  template <class E>
  void choice(const std::string& field, E& out, std::initializer_list<E> options) {
    std::string text;
    string(field, text);
    if (text.empty()) return;
    std::string names;
    for (E option : options) {
      if (to_string(option) == text) return void(out = option);
      names += (names.empty() ? "" : ", ") + std::string(to_string(option));
    }
    fail(field, "expected one of " + names);
  }

  void reject_unknown() {
    for (const auto& [key, value] : object_.items()) {
      if (!read_.contains(key)) fail(key, "unknown field");
    }
  }

 private:
  const json& object_;
  std::vector<RuleError>& errors_;
  std::string prefix_;
  std::set<std::string> read_;
};

void read_agents(FieldReader& fields, std::vector<RuleError>& errors, AgentSelector& out) {
  const auto* agents = fields.find("agents");
  if (agents == nullptr) return;
  if (agents->is_string()) {
    out.name = agents->get<std::string>();
    return;
  }
  if (!agents->is_object()) return fields.fail("agents", "expected a glob or {name, labels}");
  FieldReader selector(*agents, errors, "agents.");
  selector.string("name", out.name);
  selector.matchers("labels", out.labels);
  selector.reject_unknown();
}

void read_fields(FieldReader& fields, std::vector<RuleError>& errors, Rule& rule) {
  std::string source;
  fields.string("id", rule.id);
  fields.string("source", source);
  rule.source = source == "file" ? RuleSource::kFile : RuleSource::kApi;
  fields.string("name", rule.name);
  fields.choice("kind", rule.kind,
                {RuleKind::kThreshold, RuleKind::kAgentOffline, RuleKind::kNoData});
  read_agents(fields, errors, rule.agents);
  fields.string("metric", rule.metric);
  fields.matchers("match", rule.match);
  fields.choice("aggregation", rule.aggregation,
                {Aggregation::kAvg, Aggregation::kMin, Aggregation::kMax, Aggregation::kLast,
                 Aggregation::kCount, Aggregation::kSum, Aggregation::kRate, Aggregation::kAbsent,
                 Aggregation::kPredictLinear});
  fields.duration("window", rule.window);
  fields.duration("predict_ahead", rule.predict_ahead);
  fields.choice("op", rule.op,
                {Comparator::kGt, Comparator::kGe, Comparator::kLt, Comparator::kLe,
                 Comparator::kEq, Comparator::kNe});
  fields.number("threshold", rule.threshold);
  fields.duration("offline_after", rule.offline_after);
  fields.duration("for", rule.for_duration);
  fields.duration("keep_firing_for", rule.keep_firing_for);
  fields.choice("severity", rule.severity,
                {Severity::kInfo, Severity::kWarning, Severity::kCritical});
  fields.string_map("labels", rule.labels);
  fields.string_map("annotations", rule.annotations);
  fields.string_list("notifiers", rule.notifiers);
  fields.duration("repeat_interval", rule.repeat_interval);
  fields.boolean("enabled", rule.enabled);
}

bool valid_metric_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ':') return false;
  }
  return true;
}

// Checks that need the whole rule.
void check(const Rule& rule, const json& body, std::vector<RuleError>& errors) {
  auto fail = [&](std::string field, std::string message) {
    errors.push_back({std::move(field), std::move(message)});
  };
  if (rule.name.empty()) {
    fail("name", "required");
  } else if (rule.name.size() > 200) {
    fail("name", "at most 200 characters");
  }
  if (rule.kind != RuleKind::kAgentOffline) {
    if (!body.contains("metric")) {
      fail("metric", "required for kind " + std::string(to_string(rule.kind)));
    } else if (!valid_metric_name(rule.metric)) {
      fail("metric", "expected a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
    }
    if (rule.window.count() <= 0) fail("window", "must be longer than 0s");
  }
  const bool compares =
      rule.kind == RuleKind::kThreshold && rule.aggregation != Aggregation::kAbsent;
  if (compares && !body.contains("threshold")) fail("threshold", "required for a threshold rule");
  if (rule.kind == RuleKind::kThreshold && rule.aggregation == Aggregation::kPredictLinear &&
      rule.predict_ahead.count() <= 0) {
    fail("predict_ahead", "required (and above 0s) for aggregation predict_linear");
  }
  if (rule.kind == RuleKind::kAgentOffline && rule.offline_after.count() <= 0)
    fail("offline_after", "must be longer than 0s");
  for (const auto& [key, text] : rule.annotations) {
    if (auto problem = check_template(text)) fail("annotations." + key, *problem);
  }
  for (const auto& [key, text] : rule.labels) {
    if (auto problem = check_template(text)) fail("labels." + key, *problem);
  }
  for (std::size_t i = 0; i < rule.notifiers.size(); ++i) {
    if (rule.notifiers[i].empty()) fail(fmt::format("notifiers[{}]", i), "must not be empty");
  }
}

}  // namespace

std::variant<Rule, std::vector<RuleError>> parse_rule(const json& body) {
  std::vector<RuleError> errors;
  if (!body.is_object()) return std::vector<RuleError>{{"", "expected a JSON object"}};
  Rule rule;
  FieldReader fields(body, errors);
  read_fields(fields, errors, rule);
  fields.reject_unknown();
  check(rule, body, errors);
  if (!errors.empty()) return errors;
  return rule;
}

}  // namespace sentinel::alert
