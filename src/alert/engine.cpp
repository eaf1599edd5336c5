#include "engine.hpp"

#include <set>

#include "sentinel/alert/notification.hpp"
#include "sentinel/alert/template.hpp"

namespace sentinel::alert {
namespace {

bool fires_on_missing_data(const Rule& rule) {
  return rule.kind != RuleKind::kThreshold || rule.aggregation == Aggregation::kAbsent;
}

}  // namespace

InstanceState state_of(const store::AlertInstanceRow& row) {
  return {alert_state_from_string(row.state).value_or(AlertState::kOk), row.pending_since,
          row.firing_since, row.last_breach, row.resolved_at};
}

bool ActiveSilence::covers(const Labels& labels, std::int64_t now) const {
  return starts_at <= now && now < ends_at && matches_all(matchers, labels);
}

// One evaluation: walks every observation and every instance left unobserved, collecting the
// changes.
class Engine::Pass {
 public:
  Pass(const Engine& engine, const EvaluationInput& input)
      : engine_(engine), in_(input), evaluator_(*input.windows, *input.agents) {
    for (const auto& agent : *in_.agents)
      agents_.emplace(agent.id, &agent);
  }

  Changes run() {
    std::map<std::string, const Rule*> rules;
    for (const auto& rule : *in_.rules) {
      if (!rule.enabled) continue;
      rules.emplace(rule.id, &rule);
      observe(rule);
    }
    // Instances nobody observed this time: their series went quiet, or their rule was deleted
    // or disabled. Either way the condition no longer holds.
    const bool warming = in_.now < in_.warm_until;
    for (const auto& [fingerprint, row] : engine_.instances_) {
      if (seen_.contains(fingerprint)) continue;
      const auto it = rules.find(row.rule_id);
      if (warming && it != rules.end()) continue;  // not seen yet is not gone
      Observation gone{fingerprint, row.agent_id, {}, row.value, false};
      step(it == rules.end() ? nullptr : it->second, &row, gone, false);
    }
    return std::move(out_);
  }

 private:
  void observe(const Rule& rule) {
    const bool hold_back = fires_on_missing_data(rule) && in_.now < in_.warm_until;
    for (auto& observation : evaluator_.evaluate(rule, in_.now)) {
      if (hold_back) observation.breached = false;
      const auto it = engine_.instances_.find(observation.fingerprint);
      // Only existing instances are looked up in seen_ (run()): most observations are of Ok
      // series with none, and inserting their fingerprints was most of a pass's cost.
      if (it != engine_.instances_.end()) seen_.insert(observation.fingerprint);
      step(&rule, it == engine_.instances_.end() ? nullptr : &it->second, observation, true);
    }
  }

  // `rule` is null for an instance whose rule is gone; `row` is null for a new instance. An
  // instance not `observed` keeps its labels and annotations.
  void step(const Rule* rule, const store::AlertInstanceRow* row, const Observation& o,
            bool observed) {
    const auto current = row != nullptr ? state_of(*row) : InstanceState{};
    const Timing timing =
        rule != nullptr ? Timing{rule->for_duration, rule->keep_firing_for} : Timing{};
    const auto step = advance(current, o.breached, in_.now, timing);
    if (step.next.state == AlertState::kOk) {
      if (row == nullptr) return;
      if (step.changed && current.state == AlertState::kPending)
        record(*row, row->state, "ok", false);
      out_.deleted.push_back(row->fingerprint);
      return;
    }
    auto next = row != nullptr ? *row : store::AlertInstanceRow{};
    if (rule != nullptr && observed) describe(*rule, o, next);
    next.state = std::string(to_string(step.next.state));
    next.pending_since = step.next.pending_since;
    next.firing_since = step.next.firing_since;
    next.last_breach = step.next.last_breach;
    next.resolved_at = step.next.resolved_at;
    next.updated_at = in_.now;
    const bool silenced = this->silenced(next.labels);
    bool save = step.changed || row == nullptr;
    if (step.changed) {
      if (step.next.state == AlertState::kFiring) next.acked_at.reset();  // a new episode
      record(next, row != nullptr ? row->state : "ok", next.state, silenced);
      if (notifies(step.next.state) && !silenced) save |= notify(rule, next, false);
    } else if (due_for_repeat(rule, next) && !silenced) {
      save |= notify(rule, next, true);
    }
    save |= next.last_breach - (row != nullptr ? row->last_breach : 0) >= kBreachSaveInterval;
    if (save) out_.put.push_back(std::move(next));
  }

  // The instance's labels and annotations, from the rule, the series and the agent.
  void describe(const Rule& rule, const Observation& o, store::AlertInstanceRow& r) const {
    const auto found = agents_.find(o.agent_id);
    const auto* agent = found == agents_.end() ? nullptr : found->second;
    TemplateContext context{
        o.agent_id, agent != nullptr ? agent->name : o.agent_id, o.value, rule.threshold,
        rule.name,  std::string(to_string(rule.severity)),       o.labels};
    if (agent != nullptr) context.labels.insert(agent->labels.begin(), agent->labels.end());
    r.fingerprint = o.fingerprint;
    r.rule_id = rule.id;
    r.rule_name = rule.name;
    r.agent_id = o.agent_id;
    r.severity = context.severity;
    r.value = o.value;
    r.labels = o.labels;
    for (const auto& [name, text] : rule.labels)
      r.labels[name] = render_template(text, context);
    r.labels["alertname"] = rule.name;
    r.labels["severity"] = r.severity;
    if (!o.agent_id.empty()) r.labels["agent"] = o.agent_id;
    r.annotations.clear();
    for (const auto& [name, text] : rule.annotations)
      r.annotations[name] = render_template(text, context);
  }

  bool silenced(const Labels& labels) const {
    for (const auto& silence : *in_.silences) {
      if (silence.covers(labels, in_.now)) return true;
    }
    return false;
  }

  bool due_for_repeat(const Rule* rule, const store::AlertInstanceRow& r) const {
    return rule != nullptr && r.state == "firing" && !r.acked_at &&
           rule->repeat_interval.count() > 0 &&
           in_.now - r.last_notified_at >= rule->repeat_interval.count();
  }

  void record(const store::AlertInstanceRow& r, std::string previous, std::string state,
              bool silenced) {
    store::AlertEventRow e;
    e.fingerprint = r.fingerprint;
    e.rule_id = r.rule_id;
    e.rule_name = r.rule_name;
    e.agent_id = r.agent_id;
    e.severity = r.severity;
    e.state = std::move(state);
    e.previous_state = std::move(previous);
    e.value = r.value;
    e.labels = r.labels;
    e.annotations = r.annotations;
    e.silenced = silenced;
    e.at = in_.now;
    out_.events.push_back(std::move(e));
  }

  // Enqueues one outbox row per notifier of the rule; true when any was.
  bool notify(const Rule* rule, store::AlertInstanceRow& r, bool repeat) {
    if (rule == nullptr) return false;
    AlertNotification n{r.fingerprint,
                        r.rule_id,
                        r.rule_name,
                        r.agent_id,
                        r.state,
                        r.severity,
                        r.value,
                        r.labels,
                        r.annotations,
                        r.pending_since,
                        r.state == "resolved" ? r.resolved_at : 0,
                        repeat};
    if (r.state == "firing") n.starts_at = r.firing_since;
    const auto payload = to_json(n).dump();
    bool any = false;
    for (const auto& wanted : rule->notifiers) {
      const auto* target = notifier(wanted);
      if (target == nullptr) {
        out_.unknown_notifiers.insert(wanted);
        continue;
      }
      if (!target->enabled) continue;
      if (r.state == "resolved" && !target->send_resolved) continue;
      out_.outbox.push_back({0, target->id, r.rule_id + "/" + target->id, payload, 0,
                             in_.now + (repeat ? 0 : target->group_wait_ms), in_.now, ""});
      any = true;
    }
    if (any && r.state == "firing") r.last_notified_at = in_.now;
    return any;
  }

  // A rule names its notifiers by id or by name.
  const NotifierRef* notifier(const std::string& wanted) const {
    for (const auto& n : *in_.notifiers) {
      if (n.id == wanted || n.name == wanted) return &n;
    }
    return nullptr;
  }

  const Engine& engine_;
  const EvaluationInput& in_;
  Evaluator evaluator_;
  std::map<std::string, const AgentInfo*> agents_;
  std::set<std::string> seen_;
  Changes out_;
};

void Engine::load(std::vector<store::AlertInstanceRow> rows) {
  instances_.clear();
  for (auto& row : rows) {
    auto fingerprint = row.fingerprint;
    instances_.emplace(std::move(fingerprint), std::move(row));
  }
}

Changes Engine::evaluate(const EvaluationInput& input) const {
  return Pass(*this, input).run();
}

void Engine::apply(const Changes& changes) {
  for (const auto& fingerprint : changes.deleted)
    instances_.erase(fingerprint);
  for (const auto& row : changes.put)
    instances_[row.fingerprint] = row;
}

void Engine::merge_acknowledgement(const store::AlertInstanceRow& stored) {
  const auto it = instances_.find(stored.fingerprint);
  if (it == instances_.end() || it->second.firing_since != stored.firing_since) return;
  it->second.acked_at = stored.acked_at;
  it->second.acked_by = stored.acked_by;
  it->second.ack_note = stored.ack_note;
}

std::size_t Engine::count(AlertState state) const {
  std::size_t n = 0;
  for (const auto& [fingerprint, row] : instances_)
    n += row.state == to_string(state) ? 1 : 0;
  return n;
}

}  // namespace sentinel::alert
