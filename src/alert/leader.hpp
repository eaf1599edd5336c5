#pragma once
// What the alert leader does while it holds the lease: rebuild its state (instances from the
// store, windows from its durable consumer), then consume batches and evaluate, committing every
// evaluation's changes in one transaction before acking the batches it read.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "sentinel/alert/component.hpp"
#include "sentinel/alert/rule.hpp"
#include "sentinel/bus/bus.hpp"
#include "sentinel/core/log.hpp"
#include "sentinel/core/metrics.hpp"
#include "sentinel/store/store.hpp"

#include "engine.hpp"

namespace sentinel::alert {

struct AlertMetrics {
  explicit AlertMetrics(core::MetricsRegistry& registry);
  core::Counter& evaluations;
  core::Counter& evaluation_failures;
  core::Histogram& evaluation_seconds;
  core::Family<core::Gauge>& instances;
  core::Gauge& leader;
  core::Counter& samples;
  core::Gauge& series;
  core::Gauge& rules;
};

// State the component and its leader share; touched on the component's strand only, except the
// atomics.
struct SharedState {
  std::vector<Rule> file_rules;
  bool file_rules_changed = true;              // the leader writes them to the store
  std::atomic<bool> refresh_requested{false};  // an API change: read the store again
};

class Leader {
 public:
  Leader(const AlertComponent::Config& config, store::Store& store, bus::Bus& bus,
         SharedState& shared, AlertMetrics& metrics, core::Logger log);

  // Returns when `lease` is lost; throws (and is retried by the caller) on a failure that needs
  // a fresh start.
  boost::asio::awaitable<void> run(const store::Lease& lease);

 private:
  boost::asio::awaitable<void> rebuild();
  boost::asio::awaitable<bool> load_instances();
  boost::asio::awaitable<bool> refresh(std::int64_t now);
  boost::asio::awaitable<void> consume(bus::Consumer& consumer, std::chrono::milliseconds wait);
  boost::asio::awaitable<bool> evaluate(std::int64_t now);
  void settle_consumed();
  void update_gauges();

  const AlertComponent::Config& config_;
  store::Store& store_;
  bus::Bus& bus_;
  SharedState& shared_;
  AlertMetrics& metrics_;
  core::Logger log_;

  Engine engine_;
  Windows windows_{std::chrono::hours(1)};
  std::map<std::string, std::int64_t> seen_;  // agent id -> newest sample from the bus
  std::vector<Rule> rules_;
  std::vector<AgentInfo> agents_;
  std::vector<ActiveSilence> silences_;
  std::vector<NotifierRef> notifiers_;
  bus::Deliveries unacked_;  // read into the windows, acked once an evaluation has committed
  std::int64_t warm_until_ = 0;
  std::int64_t last_refresh_ = 0;
  // A commit failed, yet the server may have made it (the connection died before its answer):
  // the instances are read back from the store before the next evaluation.
  bool instances_unsure_ = false;
};

}  // namespace sentinel::alert
