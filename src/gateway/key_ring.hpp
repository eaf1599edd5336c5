#pragma once
// Agents' signing keys as the gateway needs them: plaintext secrets, opened from their sealed
// form in the store with the master key, cached per agent for `ttl` so that a push costs no
// query. A change made through this process invalidates the entry at once; other replicas see
// it within `ttl`. Thread-safe (handlers run on many connection strands).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "sentinel/core/crypto.hpp"
#include "sentinel/core/result.hpp"
#include "sentinel/store/credentials.hpp"
#include "sentinel/store/store.hpp"

#include "credential_cache.hpp"

namespace sentinel::gateway {

struct SigningKey {
  std::string key_id;
  std::string secret;
  std::optional<std::int64_t> retires_at;  // unset: current
};

struct AgentKeys {
  bool exists = false;
  bool enabled = false;
  std::vector<SigningKey> keys;  // valid when loaded, newest first
  const SigningKey* find(std::string_view key_id, std::int64_t now) const;
  const SigningKey* current() const;
};

class KeyRing {
 public:
  KeyRing(store::Store& store, std::string_view master_key, core::Duration ttl);

  // The agent's keys; an error when the store cannot be asked.
  boost::asio::awaitable<core::Result<AgentKeys>> get(const std::string& agent_id);
  void invalidate(const std::string& agent_id);

  // Seals a new secret for the store, bound to its agent and key id.
  std::string seal(std::string_view agent_id, std::string_view key_id,
                   std::string_view secret) const;

 private:
  AgentKeys open(const std::optional<bool>& enabled, const std::vector<store::AgentKey>& rows,
                 const std::string& agent_id) const;

  store::Store& store_;
  core::SealingKey sealing_;
  CredentialCache<AgentKeys> cache_;
};

// A new key id: "key_" and 64 random bits.
std::string new_key_id();

}  // namespace sentinel::gateway
