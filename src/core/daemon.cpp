#include "sentinel/core/daemon.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include <boost/asio/steady_timer.hpp>
#include <fmt/ranges.h>

#include "sentinel/core/app_config.hpp"
#include "sentinel/core/metrics.hpp"
#include "sentinel/core/runtime.hpp"
#include "sentinel/core/startup_pages.hpp"
#include "sentinel/core/version.hpp"

#include "signal_watcher.hpp"

namespace sentinel::core {
namespace {

void warn_loudly(const Logger& log, const std::vector<ConfigError>& warnings) {
  for (const auto& warning : warnings) {
    log.warn("INSECURE (refused in prod mode): {}", warning.to_string());
  }
}

// Written to a temporary name and renamed, so a reader never sees half a file.
void write_ready_file(const std::filesystem::path& path, const std::string& text) {
  auto temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text << "\n";
    if (!out) throw std::runtime_error(fmt::format("cannot write ready file {}", path.string()));
  }
  std::filesystem::rename(temporary, path);
}

// Once the daemon has settled (enrolled, collected, pushed), gives back what only starting needed.
void release_startup_pages_after(boost::asio::steady_timer& timer, Duration delay,
                                 const Logger& log) {
  if (delay == Duration::zero()) return;
  timer.expires_after(delay);
  timer.async_wait([log](const boost::system::error_code& error) {
    if (error) return;
    auto released = release_startup_pages();
    if (!released) {
      log.warn("start-up pages kept: {}", released.error().message);
      return;
    }
    constexpr double kMiB = 1024.0 * 1024.0;
    log.info("gave back start-up pages ({} read-only mappings): resident {:.1f} -> {:.1f} MiB",
             released->mappings, static_cast<double>(released->resident_before) / kMiB,
             static_cast<double>(released->resident_after) / kMiB);
  });
}

// Re-reads the configuration; on success applies it to the running components.
std::unique_ptr<ParsedConfig> reload(const ComponentCatalog& catalog, const DaemonOptions& options,
                                     ComponentSet& components, LogSink& sink, const Logger& log) {
  try {
    auto parsed = std::make_unique<ParsedConfig>(
        parse_config(catalog, options.config, options.default_data_dir));
    warn_loudly(log, parsed->warnings);
    if (auto key = resolve_master_key(parsed->process, log); !key) {
      log.error("reload refused: {}", key.error().message);
      return nullptr;
    }
    sink.set_level(parsed->process.log.level);
    auto reloaded = components.reload(*parsed);
    log.info("configuration reloaded (components with live settings: {})",
             fmt::join(reloaded, ", "));
    return parsed;
  } catch (const ConfigErrors& e) {
    for (const auto& error : e.errors())
      log.error("reload refused: {}", error.to_string());
    return nullptr;
  }
}

// Some task may still run and use its component: destroying the components would pull memory
// from under it. Leave as a crash would, which loses nothing acknowledged.
[[noreturn]] void exit_without_cleanup(const Logger& log) {
  log.error("not everything finished by the deadline: exiting without cleanup");
  std::_Exit(1);
}

}  // namespace

int report_config_errors(const ConfigErrors& errors) {
  for (const auto& error : errors.errors())
    std::fprintf(stderr, "config error: %s\n", error.to_string().c_str());
  return 2;
}

int run_daemon(const ComponentCatalog& catalog, const DaemonOptions& options) {
  std::unique_ptr<ParsedConfig> config;
  try {
    config = std::make_unique<ParsedConfig>(
        parse_config(catalog, options.config, options.default_data_dir));
  } catch (const ConfigErrors& e) {
    return report_config_errors(e);
  }
  auto sink = std::make_shared<LogSink>(config->process.log.level, config->process.log.format);
  Logger log(sink, "core");
  warn_loudly(log, config->warnings);
  if (auto key = resolve_master_key(config->process, log); !key) {
    log.error("cannot set up the master key: {}", key.error().message);
    return 2;
  }

  MetricsRegistry metrics;
  ProcessMetrics process_metrics(metrics);
  Runtime runtime(config->process.threads, log);
  ComponentSet components(catalog, *config, Services{runtime.io(), sink, metrics});
  try {
    components.create(options.components);
  } catch (const std::exception& e) {
    log.error("cannot set up role {}: {}", options.role, e.what());
    return 2;
  }
  SignalWatcher signals(runtime.io());
  runtime.start();
  const auto timeout = config->process.shutdown_timeout;
  try {
    components.start(Clock::now() + timeout);
    if (!options.ready_file.empty())
      write_ready_file(options.ready_file, options.ready_text(components));
  } catch (const std::exception& e) {
    log.error("sentineld did not start: {}", e.what());
    if (!components.stop(Clock::now() + timeout)) exit_without_cleanup(log);
    return 1;
  }
  log.info("sentineld {} running as {} ({})", version(), options.role,
           fmt::join(components.names(), ", "));
  boost::asio::steady_timer page_release(runtime.io());
  release_startup_pages_after(page_release, config->process.release_startup_pages_after, log);

  while (signals.wait() == SignalWatcher::Event::kReload) {
    if (auto next = reload(catalog, options, components, *sink, log)) config = std::move(next);
  }
  log.info("stopping (deadline {})", format_duration(timeout));
  std::error_code ignored_because_a_missing_file_is_fine;
  if (!options.ready_file.empty())
    std::filesystem::remove(options.ready_file, ignored_because_a_missing_file_is_fine);
  if (!components.stop(Clock::now() + timeout)) exit_without_cleanup(log);
  runtime.shutdown();
  log.info("stopped");
  return 0;
}

}  // namespace sentinel::core
