#pragma once
// Runs a role until a signal says stop: parse the configuration, create the role's components,
// start them, write the ready file, reload on SIGHUP, drain on SIGTERM/SIGINT within
// `shutdown_timeout`. A second SIGTERM/SIGINT exits at once.

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sentinel/core/registry.hpp"

namespace sentinel::core {

struct DaemonOptions {
  std::string role;
  std::vector<std::string> components;
  ConfigInputs config;
  std::filesystem::path default_data_dir;
  // Written once everything has started, with what `ready_text` returns (the HTTP address), so
  // that scripts never guess ports.
  std::filesystem::path ready_file;
  std::function<std::string(ComponentContext&)> ready_text;
};

// Exit codes: 0 after a clean stop, 1 when starting or stopping failed, 2 for a configuration
// error (nothing started). When stopping misses `shutdown_timeout` the process exits with 1 at
// once, from within this function, since a task still running may use any component.
int run_daemon(const ComponentCatalog& catalog, const DaemonOptions& options);

// Prints every error to stderr, one per line, and returns the exit code 2.
int report_config_errors(const ConfigErrors& errors);

}  // namespace sentinel::core
