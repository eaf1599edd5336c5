#include "sentinel/core/app_config.hpp"

#include <algorithm>
#include <thread>

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
  root.read("master_key", config.master_key, SecretKind::kOwned, config.mode == Mode::kProd);
  auto log = loader.section("log");
  config.log = LogConfig::parse(log);
  return config;
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
