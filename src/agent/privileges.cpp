#include "agent/privileges.hpp"

#include <cerrno>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sentinel/core/durable_file.hpp"

namespace sentinel::agent {
namespace {

core::Status chown_tree(const std::filesystem::path& root, uid_t uid, gid_t gid) {
  std::error_code ec;
  if (!std::filesystem::exists(root, ec)) return core::ok_status();
  if (::lchown(root.c_str(), uid, gid) != 0)
    return core::system_error("io", "chown " + root.string(), errno);
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (::lchown(it->path().c_str(), uid, gid) != 0) {
      return core::system_error("io", "chown " + it->path().string(), errno);
    }
  }
  return core::ok_status();
}

}  // namespace

core::Status drop_privileges(const std::string& user,
                             const std::vector<std::filesystem::path>& owned,
                             const core::Logger& log) {
  if (user.empty() || ::geteuid() != 0) return core::ok_status();
  errno = 0;
  const passwd* entry = ::getpwnam(user.c_str());
  if (entry == nullptr) {
    return core::Error{"no_such_user", fmt::format("agent.user: no user named {}", user), false};
  }
  const uid_t uid = entry->pw_uid;
  const gid_t gid = entry->pw_gid;
  for (const auto& path : owned) {
    if (auto changed = chown_tree(path, uid, gid); !changed) return changed;
  }
  // Groups first, then gid, then uid: once uid is not root the others can no longer change.
  if (::initgroups(user.c_str(), gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
    return core::system_error("io", fmt::format("switch to user {}", user), errno);
  }
  if (::setuid(0) == 0) return core::Error{"privileges", "root could be regained after setuid"};
  log.info("running as {} (uid {}, gid {})", user, uid, gid);
  return core::ok_status();
}

}  // namespace sentinel::agent
