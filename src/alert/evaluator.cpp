#include "evaluator.hpp"

#include "sentinel/core/crypto.hpp"

namespace sentinel::alert {

std::string fingerprint(const std::string& rule_id, const std::string& agent_id,
                        const Labels& labels) {
  // NUL separators: no id or label can contain one, so distinct inputs never collide by
  // concatenation.
  std::string text = rule_id + '\0' + agent_id;
  for (const auto& [name, value] : labels)
    text += '\0' + name + '=' + value;
  return core::to_hex(core::sha256(text)).substr(0, 32);
}

std::vector<Observation> Evaluator::evaluate(const Rule& rule, std::int64_t now) const {
  switch (rule.kind) {
    case RuleKind::kThreshold:
      return threshold(rule, now);
    case RuleKind::kNoData:
      return no_data(rule, now);
    case RuleKind::kAgentOffline:
      return offline(rule, now);
  }
  return {};
}

Evaluator::Evaluator(const Windows& windows, const std::vector<AgentInfo>& agents)
    : windows_(windows), agents_(agents) {
  for (const auto& info : agents_)
    by_id_.emplace(info.id, &info);
}

const AgentInfo* Evaluator::agent(const std::string& id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

bool Evaluator::selected(const Rule& rule, const std::string& agent_id) const {
  const auto* info = agent(agent_id);
  static const Labels kNone;
  return rule.agents.matches(agent_id, info != nullptr ? info->name : agent_id,
                             info != nullptr ? info->labels : kNone);
}

std::vector<Observation> Evaluator::threshold(const Rule& rule, std::int64_t now) const {
  std::vector<Observation> out;
  for (const auto& [key, samples] : windows_.of_metric(rule.metric)) {
    if (!matches_all(rule.match, key->labels) || !selected(rule, key->agent_id)) continue;
    const auto value = aggregate(*samples, rule.aggregation, now, rule.window, rule.predict_ahead);
    if (!value) continue;
    const bool breached = rule.aggregation == Aggregation::kAbsent
                              ? *value == 1
                              : compare(rule.op, *value, rule.threshold);
    out.push_back({fingerprint(rule.id, key->agent_id, key->labels), key->agent_id, key->labels,
                   *value, breached});
  }
  return out;
}

std::vector<Observation> Evaluator::no_data(const Rule& rule, std::int64_t now) const {
  std::vector<Observation> out;
  const auto series = windows_.of_metric(rule.metric);
  for (const auto& info : agents_) {
    if (!rule.agents.matches(info.id, info.name, info.labels)) continue;
    double samples = 0;
    for (const auto& [key, window] : series) {
      if (key->agent_id != info.id || !matches_all(rule.match, key->labels)) continue;
      samples += *aggregate(*window, Aggregation::kCount, now, rule.window);
    }
    out.push_back({fingerprint(rule.id, info.id, {}), info.id, {}, samples, samples == 0});
  }
  return out;
}

std::vector<Observation> Evaluator::offline(const Rule& rule, std::int64_t now) const {
  std::vector<Observation> out;
  for (const auto& info : agents_) {
    if (!rule.agents.matches(info.id, info.name, info.labels)) continue;
    // Never seen counts as offline since forever: an enrolled agent that never reported.
    const double silent_ms = static_cast<double>(now - info.last_seen);
    out.push_back({fingerprint(rule.id, info.id, {}),
                   info.id,
                   {},
                   silent_ms / 1000.0,
                   silent_ms >= static_cast<double>(rule.offline_after.count())});
  }
  return out;
}

}  // namespace sentinel::alert
