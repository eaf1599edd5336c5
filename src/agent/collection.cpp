#include "agent/collection.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/core/unix_time.hpp"

#include "agent/clock.hpp"
#include "agent/host_facts.hpp"

namespace sentinel::agent {

namespace asio = boost::asio;

Collection::Collection(std::vector<std::unique_ptr<Collector>> collectors,
                       const AgentConfig& config, BatchWriter& writer, AgentMetrics& metrics,
                       core::Logger log)
    : collectors_(std::move(collectors)),
      config_(config),
      writer_(writer),
      metrics_(metrics),
      log_(std::move(log)),
      proc_(config.collect.proc_root),
      facts_(static_host_facts()) {}

asio::awaitable<void> Collection::run(std::function<void()> on_written) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_at(next_aligned_tick(config_.interval));
    co_await timer.async_wait(asio::use_awaitable);
    if (tick(core::unix_ms()) > 0) on_written();
  }
}

std::size_t Collection::tick(std::int64_t now_ms) {
  std::vector<v1::Metric> metrics;
  MetricSink sink(metrics, now_ms, config_.labels);
  CollectContext context{proc_, now_ms};
  proc_.clear();
  for (auto& collector : collectors_)
    run_collector(*collector, context, sink);
  update_host_facts(metrics, facts_);
  if (metrics.empty()) return 0;
  return writer_.write(std::move(metrics), now_ms, "collectors");
}

void Collection::run_collector(Collector& collector, CollectContext& context, MetricSink& sink) {
  const auto started = core::Clock::now();
  auto status = collector.collect(context, sink);
  const std::string name(collector.name());
  metrics_.collect_duration.with({name}).observe(
      std::chrono::duration<double>(core::Clock::now() - started).count());
  if (status) {
    if (failing_.erase(name) > 0) log_.info("collector {} works again", name);
    return;
  }
  metrics_.collect_errors.with({name}).inc();
  if (failing_.insert(name).second) {
    log_.warn("collector {} failed: {} (logged once until it recovers)", name,
              status.error().message);
  }
}

}  // namespace sentinel::agent
