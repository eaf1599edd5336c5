#include "agent/plugins/plugin_runner.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "sentinel/core/unix_time.hpp"

#include "agent/clock.hpp"
#include "agent/plugins/exposition.hpp"
#include "agent/plugins/subprocess.hpp"

namespace sentinel::agent {
namespace {

namespace asio = boost::asio;

SubprocessOptions subprocess_options(const PluginSettings& settings) {
  return {settings.command,
          settings.env,
          settings.working_dir,
          settings.timeout,
          settings.max_output.bytes,
          static_cast<std::uint64_t>(
              std::chrono::duration_cast<std::chrono::seconds>(settings.cpu_limit).count()),
          settings.memory_limit.bytes,
          static_cast<std::uint64_t>(settings.open_files_limit)};
}

// The reason label and message for a run that did not end well; empty reason when it did.
std::pair<std::string, std::string> judge(const SubprocessResult& result,
                                          const PluginSettings& settings) {
  using End = SubprocessResult::End;
  const std::string stderr_hint =
      result.errors.empty() ? "" : fmt::format(" (stderr: {})", result.errors.substr(0, 200));
  switch (result.end) {
    case End::kSpawnFailed:
      return {"spawn",
              fmt::format("cannot run {}: {}", settings.command.front(), result.spawn_error)};
    case End::kTimedOut:
      return {"timeout", fmt::format("killed after {}", core::format_duration(settings.timeout))};
    case End::kOutputTooLarge:
      return {"output_too_large", fmt::format("killed: more than {} of output",
                                              core::format_byte_size(settings.max_output))};
    case End::kSignaled:
      return {"signal", fmt::format("ended by signal {}{}", result.code, stderr_hint)};
    case End::kExited:
      if (result.code != 0)
        return {"exit_code", fmt::format("exited with {}{}", result.code, stderr_hint)};
  }
  return {};
}

}  // namespace

PluginRunner::PluginRunner(const PluginSettings& settings, BatchWriter& writer,
                           AgentMetrics& metrics,
                           const std::map<std::string, std::string>& agent_labels, core::Logger log)
    : settings_(settings),
      writer_(writer),
      metrics_(metrics),
      labels_(agent_labels),
      log_(log.with("plugin", settings.name)) {
  for (const auto& [key, value] : settings_.labels)
    labels_[key] = value;
}

asio::awaitable<void> PluginRunner::run(std::function<void()> on_written) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_at(next_aligned_tick(settings_.interval));
    co_await timer.async_wait(asio::use_awaitable);
    if (co_await run_once(core::unix_ms()) > 0) on_written();
  }
}

asio::awaitable<std::size_t> PluginRunner::run_once(std::int64_t now_ms) {
  const auto started = core::Clock::now();
  const auto result = co_await run_subprocess(subprocess_options(settings_));
  metrics_.plugin_duration.with({settings_.name})
      .observe(std::chrono::duration<double>(core::Clock::now() - started).count());
  if (auto [reason, message] = judge(result, settings_); !reason.empty()) {
    fail(reason, message);
    co_return 0;
  }
  const auto parsed = settings_.format == PluginFormat::kPrometheus
                          ? parse_prometheus_text(result.output)
                          : parse_json_lines(result.output);
  for (const auto& problem : parsed.problems)
    fail(problem.reason, problem.message);
  if (parsed.problems.empty() && !logged_.empty()) {
    log_.info("plugin runs cleanly again");
    logged_.clear();
  }
  std::vector<v1::Metric> metrics;
  MetricSink sink(metrics, now_ms, labels_);
  for (const auto& sample : parsed.samples)
    sink.add(sample.name, sample.labels, sample.type, sample.value, sample.timestamp_ms);
  const auto count = metrics.size();
  if (count > 0) writer_.write(std::move(metrics), now_ms, "exec:" + settings_.name);
  co_return count;
}

void PluginRunner::fail(const std::string& reason, const std::string& message) {
  metrics_.plugin_errors.with({settings_.name, reason}).inc();
  if (logged_.insert(reason).second) {
    log_.warn("plugin {}: {} (reason {}; logged once until it runs cleanly)", settings_.name,
              message, reason);
  }
}

}  // namespace sentinel::agent
