#pragma once
// The evaluation step of the leader, as logic over values: the rules, the windows, the fleet,
// the silences and the notifiers go in; the instance rows to write or delete, the events to
// append and the notifications to enqueue come out, to be committed in one transaction. Only
// once that commit succeeded does apply() make them the engine's state, so a failed commit is
// simply evaluated again.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sentinel/alert/rule.hpp"
#include "sentinel/alert/state_machine.hpp"
#include "sentinel/store/alerting.hpp"

#include "evaluator.hpp"
#include "windows.hpp"

namespace sentinel::alert {

// Where an alert's notifications go.
struct NotifierRef {
  std::string id;
  std::string name;
  bool send_resolved = true;
  std::int64_t group_wait_ms = 0;
  bool enabled = true;
};

// A silence with its matchers parsed; it covers alerts whose labels all match, while it lasts.
struct ActiveSilence {
  std::string id;
  std::vector<LabelMatcher> matchers;
  std::int64_t starts_at = 0;
  std::int64_t ends_at = 0;
  bool covers(const Labels& labels, std::int64_t now) const;
};

struct EvaluationInput {
  std::int64_t now = 0;
  const std::vector<Rule>* rules = nullptr;
  const Windows* windows = nullptr;
  const std::vector<AgentInfo>* agents = nullptr;
  const std::vector<ActiveSilence>* silences = nullptr;
  const std::vector<NotifierRef>* notifiers = nullptr;
  // A new leader's windows are still filling until then: rules that fire on missing data hold
  // back, and instances not observed keep their state rather than resolve.
  std::int64_t warm_until = 0;
};

struct Changes {
  std::vector<store::AlertInstanceRow> put;
  std::vector<std::string> deleted;
  std::vector<store::AlertEventRow> events;
  std::vector<store::OutboxRow> outbox;
  // Notifiers that rules of this pass's transitions name but the input does not have: made
  // since the leader last read them, or never. Not a change to commit.
  std::set<std::string> unknown_notifiers;
  bool empty() const { return put.empty() && deleted.empty() && events.empty() && outbox.empty(); }
};

// How often the latest breach of a firing instance is saved when nothing else changes: a
// failover can shorten its keep_firing_for by at most this much.
inline constexpr std::int64_t kBreachSaveInterval = 5'000;

class Engine {
 public:
  // The instances saved by the previous leader (or this one before a restart).
  void load(std::vector<store::AlertInstanceRow> rows);
  Changes evaluate(const EvaluationInput& input) const;
  void apply(const Changes& changes);
  // Takes the acknowledgement of a stored instance (made through the API, perhaps on another
  // process) when it belongs to the episode the engine knows.
  void merge_acknowledgement(const store::AlertInstanceRow& stored);

  const std::map<std::string, store::AlertInstanceRow>& instances() const { return instances_; }
  std::size_t count(AlertState state) const;

 private:
  class Pass;
  std::map<std::string, store::AlertInstanceRow> instances_;
};

InstanceState state_of(const store::AlertInstanceRow& row);

}  // namespace sentinel::alert
