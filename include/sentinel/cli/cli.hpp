#pragma once
// The command line: `sentineld --role=...` runs the daemon; subcommands do one-off jobs
// (`version`, `config check`, `config print`, and those later subsystems add).

#include <map>
#include <string>
#include <vector>

#include "sentinel/core/daemon.hpp"
#include "sentinel/core/registry.hpp"

namespace sentinel::cli {

struct Program {
  const core::ComponentCatalog& catalog;
  // Role name -> the components it runs; `all` is expected among them.
  std::map<std::string, std::vector<std::string>> roles;
  // What the ready file says once the daemon has started (the HTTP address).
  std::function<std::string(core::ComponentContext&)> ready_text;
};

// Parses the arguments and runs what they ask for; returns the process exit code.
int run(const Program& program, int argc, char** argv, char** envp);

}  // namespace sentinel::cli
