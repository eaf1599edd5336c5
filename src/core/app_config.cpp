#include "sentinel/core/app_config.hpp"

#include <algorithm>
#include <thread>

#include "sentinel/core/crypto.hpp"
#include "sentinel/core/durable_file.hpp"

namespace sentinel::core {

LogConfig LogConfig::parse(ConfigSection& section) {
  LogConfig config;
  section.read_enum("level", config.level,
                    {{"trace", LogLevel::kTrace},
                     {"debug", LogLevel::kDebug},
                     {"info", LogLevel::kInfo},
                     {"warn", LogLevel::kWarn},
                     {"error", LogLevel::kError}});
  section.read_enum("format", config.format,
                    {{"text", LogFormat::kText}, {"json", LogFormat::kJson}});
  return config;
}

ProcessConfig ProcessConfig::parse(ConfigLoader& loader, std::filesystem::path default_data_dir) {
  ProcessConfig config;
  config.mode = loader.mode();
  config.data_dir = std::move(default_data_dir);
  config.threads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1U, 8U));
  auto root = loader.root();
  root.read("data_dir", config.data_dir);
  root.read("threads", config.threads, Range<int>{1, 256});
  root.read("shutdown_timeout", config.shutdown_timeout,
            Range<Duration>{std::chrono::seconds(1), std::chrono::minutes(10)});
  root.read("release_startup_pages_after", config.release_startup_pages_after,
            Range<Duration>{Duration::zero(), std::chrono::hours(24)});
  root.read("master_key", config.master_key, SecretKind::kOwned, config.mode == Mode::kProd);
  auto log = loader.section("log");
  config.log = LogConfig::parse(log);
  return config;
}

Status resolve_master_key(ProcessConfig& process, const Logger& log) {
  if (!process.master_key.empty()) return ok_status();
  if (process.mode == Mode::kProd) {
    return Error{"no_master_key", "master_key (SENTINEL_MASTER_KEY) is required in prod mode",
                 false};
  }
  const auto file = process.data_dir / "master.key";
  auto existing = read_whole_file(file);
  if (!existing && existing.error().code != "not_found") {
    // Never replace a key that exists but cannot be read now: that would orphan what it sealed.
    return existing.error();
  }
  if (!existing) {
    std::error_code ec;
    std::filesystem::create_directories(process.data_dir, ec);
    existing = to_hex(random_bytes(32));
    if (auto written = write_file_atomically(file, *existing, 0600); !written) {
      return written.error();
    }
    log.warn(
        "no master_key configured: generated {} (dev mode only; set SENTINEL_MASTER_KEY in "
        "production)",
        file.string());
  }
  process.master_key = Secret(std::move(*existing));
  return ok_status();
}

std::filesystem::path default_data_dir(const char* xdg_state_home, const char* home, bool is_root) {
  // An explicit XDG_STATE_HOME wins even for root: whoever set it meant it.
  if (xdg_state_home != nullptr && *xdg_state_home != '\0') {
    return std::filesystem::path(xdg_state_home) / "sentineld";
  }
  if (is_root) return "/var/lib/sentineld";
  if (home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".local/state/sentineld";
  }
  return "./sentineld-data";
}

}  // namespace sentinel::core
