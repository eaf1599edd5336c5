#pragma once
// One exec plugin: runs its command on its own interval (aligned to the wall clock), parses the
// output and writes the samples to the WAL with the plugin's labels. Every failure is counted in
// sentinel_agent_plugin_errors_total{plugin,reason} and logged once per reason until a run
// succeeds again; none stops the agent.

#include <functional>
#include <map>
#include <set>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "sentinel/agent/config.hpp"

#include "agent/agent_metrics.hpp"
#include "agent/batch_writer.hpp"

namespace sentinel::agent {

class PluginRunner {
 public:
  PluginRunner(const PluginSettings& settings, BatchWriter& writer, AgentMetrics& metrics,
               const std::map<std::string, std::string>& agent_labels, core::Logger log);

  const std::string& name() const { return settings_.name; }
  // Runs the plugin on every tick until cancelled; `on_written` after each run that wrote.
  boost::asio::awaitable<void> run(std::function<void()> on_written);
  // One run at `now_ms`: returns the number of samples written.
  boost::asio::awaitable<std::size_t> run_once(std::int64_t now_ms);

 private:
  void fail(const std::string& reason, const std::string& message);

  PluginSettings settings_;
  BatchWriter& writer_;
  AgentMetrics& metrics_;
  std::map<std::string, std::string> labels_;  // the agent's, then the plugin's over them
  core::Logger log_;
  std::set<std::string> logged_;
};

}  // namespace sentinel::agent
