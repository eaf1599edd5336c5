#include "sentinel/alert/rule.hpp"

namespace sentinel::alert {
namespace {

nlohmann::json matcher_list(const std::vector<LabelMatcher>& matchers) {
  auto list = nlohmann::json::array();
  for (const auto& matcher : matchers)
    list.push_back(matcher.to_string());
  return list;
}

}  // namespace

nlohmann::json rule_to_json(const Rule& rule) {
  auto d = [](core::Duration duration) { return core::format_duration(duration); };
  nlohmann::json out = {
      {"id", rule.id},
      {"name", rule.name},
      {"source", to_string(rule.source)},
      {"kind", to_string(rule.kind)},
      {"agents", {{"name", rule.agents.name}, {"labels", matcher_list(rule.agents.labels)}}},
      {"for", d(rule.for_duration)},
      {"keep_firing_for", d(rule.keep_firing_for)},
      {"severity", to_string(rule.severity)},
      {"labels", rule.labels},
      {"annotations", rule.annotations},
      {"notifiers", rule.notifiers},
      {"repeat_interval", d(rule.repeat_interval)},
      {"enabled", rule.enabled},
  };
  if (rule.kind == RuleKind::kAgentOffline) {
    out["offline_after"] = d(rule.offline_after);
    return out;
  }
  out["metric"] = rule.metric;
  out["match"] = matcher_list(rule.match);
  out["window"] = d(rule.window);
  if (rule.kind == RuleKind::kThreshold) {
    out["aggregation"] = to_string(rule.aggregation);
    out["op"] = to_string(rule.op);
    out["threshold"] = rule.threshold;
    if (rule.aggregation == Aggregation::kPredictLinear)
      out["predict_ahead"] = d(rule.predict_ahead);
  }
  return out;
}

}  // namespace sentinel::alert
