#pragma once
// Running as an unprivileged user: an agent started as root (to open what needs root) switches to
// agent.user for the rest of its life, with the agent's own directories handed to that user.

#include <filesystem>
#include <string>
#include <vector>

#include "sentinel/core/log.hpp"
#include "sentinel/core/result.hpp"

namespace sentinel::agent {

// Does nothing unless the process runs as root and `user` is set. Otherwise chowns `owned`
// (recursively) to the user, then sets its groups, gid and uid for the whole process.
core::Status drop_privileges(const std::string& user,
                             const std::vector<std::filesystem::path>& owned,
                             const core::Logger& log);

}  // namespace sentinel::agent
