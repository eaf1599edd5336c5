#pragma once
// Process-wide settings: the top-level keys of the configuration file and its `log` section.

#include <filesystem>

#include "sentinel/core/config.hpp"
#include "sentinel/core/log.hpp"
#include "sentinel/core/result.hpp"

namespace sentinel::core {

struct LogConfig {
  LogLevel level = LogLevel::kInfo;
  LogFormat format = LogFormat::kText;
  static LogConfig parse(ConfigSection& section);
};

struct ProcessConfig {
  Mode mode = Mode::kDev;
  std::filesystem::path data_dir;
  int threads = 2;
  Duration shutdown_timeout = std::chrono::seconds(30);
  // How long after start the daemon gives back the pages it touched only to start
  // (startup_pages.hpp); zero keeps them.
  Duration release_startup_pages_after = std::chrono::seconds(30);
  // Encrypts what sentineld stores of its own secrets (agent keys, notifier credentials).
  Secret master_key;
  LogConfig log;

  // `default_data_dir` is where data goes when neither the file nor a flag says.
  static ProcessConfig parse(ConfigLoader& loader, std::filesystem::path default_data_dir);
};

// Fills in the master key when the configuration has none. Dev mode uses a random key kept in
// <data_dir>/master.key (created on first use, mode 0600, with a warning), so that all components
// of the process (agent identity, gateway key ring, notifier secrets) and every restart seal with
// one key. Prod mode must configure one: an error if it did not.
Status resolve_master_key(ProcessConfig& process, const Logger& log);

// $XDG_STATE_HOME/sentineld when set, else /var/lib/sentineld for root and
// ~/.local/state/sentineld for anyone else.
std::filesystem::path default_data_dir(const char* xdg_state_home, const char* home, bool is_root);

}  // namespace sentinel::core
