// The alert leader's evaluation rate, in process: RULES threshold rules over SERIES series held
// in the leader's rolling windows, evaluated pass after pass the way Leader::evaluate() does it
// (trim the windows, Engine::evaluate, Engine::apply), minus the store commit, which a pass
// whose state did not change skips anyway. Rules, windows and the engine are the real classes
// (parse_rule, Windows, Engine), fed the shapes the leader builds from the bus and the store.
//
// The series are spread over METRICS metrics, one series of each metric per agent, so every rule
// (on metric i % METRICS) sees SERIES / METRICS series: 1,000 rules over 10,000 series and 100
// metrics make 100,000 rule x series evaluations per pass. The reference is the evaluation
// interval: CPU per pass over 1 s is the share of a core the leader spends on evaluation.
//
// Usage: bench_alert_eval [RULES=1000] [SERIES=10000] [METRICS=100] [PASSES=20]

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "alert/engine.hpp"

using namespace sentinel;
using namespace sentinel::alert;

namespace {

// Agents collect every 10 s (the default) and rules look 5 minutes back (the default window):
// 30 samples per series, the newest a second old.
constexpr std::int64_t kSampleSpacingMs = 10'000;
constexpr int kSamplesPerSeries = 30;
constexpr std::int64_t kNow = 1'800'000'000'000;
constexpr std::int64_t kNewest = kNow - 1'000;
constexpr std::int64_t kEvaluationIntervalMs = 1'000;  // alert.evaluation_interval's default
constexpr const char* kAggregations[] = {"avg", "max", "min", "last"};

struct Shape {
  int rules = 1000;
  int series = 10'000;
  int metrics = 100;
  int passes = 20;
  int agents() const { return series / metrics; }
};

std::string metric_name(int index) {
  return fmt::format("bench_metric_{}", index);
}

// Values spread over [0, 100) without a pattern the rules could line up with.
double value_of(int series, int sample) {
  return static_cast<double>((series * 7919 + sample * 104'729) % 10'000) / 100.0;
}

// Rule i watches metric i % METRICS with one of four aggregations; a threshold of 99 makes some
// instances fire (the first pass says how many), so the passes carry firing state as a real
// fleet's do.
std::vector<Rule> make_rules(const Shape& shape) {
  std::vector<Rule> rules;
  for (int i = 0; i < shape.rules; ++i) {
    auto parsed = parse_rule({{"name", fmt::format("bench-{}", i)},
                              {"metric", metric_name(i % shape.metrics)},
                              {"aggregation", kAggregations[i % std::size(kAggregations)]},
                              {"window", "5m"},
                              {"op", ">"},
                              {"threshold", 99},
                              {"notifiers", {"bench"}},
                              {"annotations", {{"summary", "{{ $agent }} at {{ $value }}"}}}});
    if (auto* errors = std::get_if<std::vector<RuleError>>(&parsed))
      throw std::runtime_error("bench rule: " + errors->front().to_string());
    auto& rule = std::get<Rule>(parsed);
    rule.id = fmt::format("rul_bench{}", i);
    rules.push_back(std::move(rule));
  }
  return rules;
}

std::vector<AgentInfo> make_agents(const Shape& shape) {
  std::vector<AgentInfo> agents;
  for (int a = 0; a < shape.agents(); ++a)
    agents.push_back({fmt::format("agt_bench{}", a), fmt::format("host-{}", a), {}, kNow});
  return agents;
}

void fill(Windows& windows, const Shape& shape) {
  for (int s = 0; s < shape.series; ++s) {
    const SeriesKey key{fmt::format("agt_bench{}", s / shape.metrics),
                        metric_name(s % shape.metrics),
                        {{"instance", fmt::format("i{}", s % 7)}}};
    for (int i = 0; i < kSamplesPerSeries; ++i)
      windows.add(key, {kNewest - (kSamplesPerSeries - 1 - i) * kSampleSpacingMs, value_of(s, i)});
  }
}

// The leader's state for one shape: rules, fleet and windows, and the engine evaluating them.
class LeaderState {
 public:
  explicit LeaderState(const Shape& shape)
      : rules_(make_rules(shape)), agents_(make_agents(shape)), windows_(std::chrono::minutes(6)) {
    fill(windows_, shape);
  }

  // One pass as Leader::evaluate() runs it; returns how many instances it wrote or deleted.
  std::size_t pass() {
    const EvaluationInput input{kNow, &rules_, &windows_, &agents_, &silences_, &notifiers_};
    windows_.trim(input.now);
    const auto changes = engine_.evaluate(input);
    engine_.apply(changes);
    return changes.put.size() + changes.deleted.size();
  }

 private:
  std::vector<Rule> rules_;
  std::vector<AgentInfo> agents_;
  std::vector<ActiveSilence> silences_;
  std::vector<NotifierRef> notifiers_ = {{"ntf_bench", "bench"}};
  Windows windows_;
  Engine engine_;
};

struct Measured {
  double first_pass_ms = 0;
  std::size_t created = 0;
  double passes_per_second = 0;
  double cpu_ms_per_pass = 0;
};

double cpu_seconds() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

Measured measure(const Shape& shape) {
  LeaderState leader(shape);
  Measured m;
  // The first pass creates the firing instances, their events and notifications; the ones
  // after it find nothing new, as a leader does between changes.
  auto started = std::chrono::steady_clock::now();
  m.created = leader.pass();
  m.first_pass_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  const auto cpu_started = cpu_seconds();
  started = std::chrono::steady_clock::now();
  for (int i = 0; i < shape.passes; ++i)
    leader.pass();
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;
  m.passes_per_second = shape.passes / wall.count();
  m.cpu_ms_per_pass = (cpu_seconds() - cpu_started) * 1e3 / shape.passes;
  return m;
}

void report(const Shape& shape, const Measured& m) {
  const double evaluations =
      static_cast<double>(shape.rules) * (static_cast<double>(shape.series) / shape.metrics);
  fmt::print(
      "{} rules over {} series ({} metrics x {} agents, {} samples each): {:.0f} rule x "
      "series evaluations per pass\n",
      shape.rules, shape.series, shape.metrics, shape.agents(), kSamplesPerSeries, evaluations);
  fmt::print("first pass: {:.1f} ms, {} instances created\n", m.first_pass_ms, m.created);
  fmt::print("steady passes: {:.1f} passes/s, {:.0f} evaluations/s\n", m.passes_per_second,
             evaluations * m.passes_per_second);
  fmt::print("leader CPU per pass: {:.1f} ms; ratio to the {} ms evaluation interval: {:.3f}\n",
             m.cpu_ms_per_pass, kEvaluationIntervalMs, m.cpu_ms_per_pass / kEvaluationIntervalMs);
}

Shape parse_shape(int argc, char** argv) {
  Shape shape;
  int* fields[] = {&shape.rules, &shape.series, &shape.metrics, &shape.passes};
  for (int i = 1; i < argc && i <= 4; ++i)
    *fields[i - 1] = std::max(1, std::atoi(argv[i]));
  return shape;
}

}  // namespace

int main(int argc, char** argv) {
  const auto shape = parse_shape(argc, argv);
  report(shape, measure(shape));
  return 0;
}
