#pragma once
// The agent's enrolled identity (agent id and keys), kept in <state_dir>/identity sealed with
// AES-256-GCM under the master key, mode 0600, replaced atomically; and, until it has one, the id
// of its enrolment.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "sentinel/core/config.hpp"
#include "sentinel/core/crypto.hpp"
#include "sentinel/core/log.hpp"
#include "sentinel/core/result.hpp"

namespace sentinel::agent {

struct AgentKey {
  std::string key_id;
  std::string secret;
  std::int64_t expires_at_ms = 0;  // 0: no end (the current key)
  bool operator==(const AgentKey&) const = default;
};

struct Identity {
  std::string agent_id;
  AgentKey current;
  std::optional<AgentKey> previous;  // after a rotation, until its grace period ends
  bool operator==(const Identity&) const = default;
};

class IdentityStore {
 public:
  IdentityStore(std::filesystem::path file, std::string_view master_key);

  // nullopt before enrolment. Error "wrong_master_key" when the file exists but does not open
  // with this key (or was altered): the agent must not enrol again over it.
  core::Result<std::optional<Identity>> load() const;
  core::Status save(const Identity& identity) const;
  const std::filesystem::path& file() const { return file_; }

  // The random id this agent enrols with, kept sealed in <dir>/enrollment from before its first
  // attempt until forget_enrollment(), so that a retry (after a lost answer, or a restart) sends
  // the same id and gets the identity the gateway made for it (docs/protocol.md). Made on first
  // use; a file that does not open with this master key is replaced (it protects nothing).
  core::Result<std::string> enrollment_id() const;
  // After the identity is saved: the next enrolment, if any, is a new one.
  core::Status forget_enrollment() const;

 private:
  std::filesystem::path enrollment_file() const { return file_.parent_path() / "enrollment"; }

  std::filesystem::path file_;
  core::SealingKey key_;
};

}  // namespace sentinel::agent
