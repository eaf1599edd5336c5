#pragma once
// The collection loop: on every tick (aligned to wall-clock multiples of agent.interval) run each
// collector, then write what they produced to the WAL. A failing collector is logged once until
// it recovers, counted every time, and never stops the others.

#include <functional>
#include <memory>
#include <set>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "sentinel/agent/config.hpp"

#include "agent/agent_metrics.hpp"
#include "agent/batch_writer.hpp"
#include "agent/collectors/collector.hpp"

namespace sentinel::agent {

class Collection {
 public:
  Collection(std::vector<std::unique_ptr<Collector>> collectors, const AgentConfig& config,
             BatchWriter& writer, AgentMetrics& metrics, core::Logger log);

  // Ticks until cancelled; `on_written` runs after each tick that wrote batches.
  boost::asio::awaitable<void> run(std::function<void()> on_written);
  // Collects once at `now_ms` and writes the result; returns the batches written.
  std::size_t tick(std::int64_t now_ms);
  // The host facts of the last tick, for heartbeats.
  const v1::HostFacts& facts() const { return facts_; }

 private:
  void run_collector(Collector& collector, CollectContext& context, MetricSink& sink);

  std::vector<std::unique_ptr<Collector>> collectors_;
  const AgentConfig& config_;
  BatchWriter& writer_;
  AgentMetrics& metrics_;
  core::Logger log_;
  ProcFiles proc_;
  std::set<std::string, std::less<>> failing_;
  v1::HostFacts facts_;
};

}  // namespace sentinel::agent
