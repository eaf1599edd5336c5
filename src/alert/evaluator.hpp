#pragma once
// One evaluation of every rule against the rolling windows and the fleet, as pure logic: what
// each instance's value is now and whether it breaches. The engine (engine.hpp) turns these
// observations into state changes.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "sentinel/alert/rule.hpp"

#include "windows.hpp"

namespace sentinel::alert {

// What the evaluator knows of an agent: from the store (name, labels, heartbeat) and from the
// batches the alerting consumer has seen.
struct AgentInfo {
  std::string id;
  std::string name;
  Labels labels;
  std::int64_t last_seen = 0;  // Unix ms; 0: never
};

struct Observation {
  std::string fingerprint;
  std::string agent_id;
  Labels labels;  // the series' labels, without the rule's own
  double value = 0;
  bool breached = false;
};

// The identity of an instance: stable across rule edits (it hashes the rule's id, not its
// definition) and across restarts. 32 hex digits.
std::string fingerprint(const std::string& rule_id, const std::string& agent_id,
                        const Labels& labels);

class Evaluator {
 public:
  Evaluator(const Windows& windows, const std::vector<AgentInfo>& agents);

  // Observations of `rule` at `now`. A series with no value to compare (no sample in the window)
  // yields none, so an instance of it resolves.
  std::vector<Observation> evaluate(const Rule& rule, std::int64_t now) const;

 private:
  std::vector<Observation> threshold(const Rule& rule, std::int64_t now) const;
  std::vector<Observation> no_data(const Rule& rule, std::int64_t now) const;
  std::vector<Observation> offline(const Rule& rule, std::int64_t now) const;
  const AgentInfo* agent(const std::string& id) const;
  bool selected(const Rule& rule, const std::string& agent_id) const;

  const Windows& windows_;
  const std::vector<AgentInfo>& agents_;
  std::unordered_map<std::string, const AgentInfo*> by_id_;
};

}  // namespace sentinel::alert
