#pragma once
// What the gateway authenticates with: agents' signing keys (sealed, with rotation grace),
// bootstrap tokens for enrolment, API bearer tokens, and the nonces seen within the replay
// window. Tokens are stored as hashes only; times are Unix milliseconds.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::store {

struct AgentKey {
  std::string agent_id;
  std::string key_id;
  std::string sealed_secret;  // AES-256-GCM under the master key, base64url
  std::int64_t created_at = 0;
  std::optional<std::int64_t> retires_at;  // unset: the current key
  bool operator==(const AgentKey&) const = default;
};

// A nonce an agent signed with, to be remembered until `expires_at`.
struct NonceUse {
  std::string agent_id;
  std::string nonce;
  std::int64_t expires_at = 0;
};

struct BootstrapToken {
  std::string id;
  std::string name;  // the name the enrolled agent gets
  std::int64_t uses_left = 1;
  std::int64_t expires_at = 0;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> revoked_at;
  bool operator==(const BootstrapToken&) const = default;
};

struct ApiToken {
  std::string id;
  std::string name;
  std::string role;  // admin, viewer, agent-enroller
  std::optional<std::int64_t> expires_at;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> revoked_at;
  std::optional<std::int64_t> last_used_at;
  bool operator==(const ApiToken&) const = default;
};

// A token with the hash it is found by: `sentineld export` moves hashes, never tokens.
template <class Token>
struct Hashed {
  Token token;
  std::string hash;
  bool operator==(const Hashed&) const = default;
};

// Methods throw StoreError; create* throw "conflict" for an id or hash that exists.
class CredentialRepository {
 public:
  virtual ~CredentialRepository() = default;

  virtual void add_key(const AgentKey& key) = 0;
  // The agent's keys still valid at `now` (current, or retired later than `now`), newest first.
  virtual std::vector<AgentKey> valid_keys(std::string_view agent_id, std::int64_t now) = 0;
  // Retires the agent's current key at `at` (the end of its grace period); returns how many.
  virtual std::size_t retire_current_key(std::string_view agent_id, std::int64_t at) = 0;
  // Inserts `key`, or replaces the one with its (agent_id, key_id) (`sentineld import`).
  virtual void put_key(const AgentKey& key) = 0;

  virtual void create_bootstrap_token(const BootstrapToken& token, std::string_view hash) = 0;
  // Takes one use of the token with `hash` when it is unrevoked, unexpired and not used up at
  // `now`; returns it (after the use) or nullopt.
  virtual std::optional<BootstrapToken> consume_bootstrap_token(std::string_view hash,
                                                                std::int64_t now) = 0;
  virtual std::vector<BootstrapToken> list_bootstrap_tokens() = 0;  // newest first
  virtual bool revoke_bootstrap_token(std::string_view id, std::int64_t at) = 0;

  virtual void create_api_token(const ApiToken& token, std::string_view hash) = 0;
  virtual std::optional<ApiToken> find_api_token(std::string_view hash) = 0;
  virtual std::vector<ApiToken> list_api_tokens() = 0;  // newest first
  virtual bool revoke_api_token(std::string_view id, std::int64_t at) = 0;
  virtual void touch_api_token(std::string_view id, std::int64_t at) = 0;

  // Export and import: every token with its hash (ordered by id); put_* insert a token or
  // replace the one with its id.
  virtual std::vector<Hashed<BootstrapToken>> hashed_bootstrap_tokens() = 0;
  virtual void put_bootstrap_token(const Hashed<BootstrapToken>& token) = 0;
  virtual std::vector<Hashed<ApiToken>> hashed_api_tokens() = 0;
  virtual void put_api_token(const Hashed<ApiToken>& token) = 0;

  // Records each (agent_id, nonce) until its `expires_at`. For each use, whether it is new:
  // false when it is already recorded and has not expired at `now`, or comes earlier in `uses`
  // (a replay).
  virtual std::vector<bool> remember_nonces(std::span<const NonceUse> uses, std::int64_t now) = 0;

  // Enrolments an agent may repeat (docs/protocol.md): the agent created for the enrolment id
  // whose hash is `id_hash`, remembered until `expires_at` or until the agent is deleted.
  virtual void record_enrollment(std::string_view id_hash, std::string_view agent_id,
                                 std::int64_t expires_at) = 0;
  // The agent recorded for `id_hash`, unless the record has expired at `now`.
  virtual std::optional<std::string> enrolled_agent(std::string_view id_hash, std::int64_t now) = 0;

  // Forgets the nonces and enrolments that have expired at `now`; returns how many.
  virtual std::size_t purge_expired(std::int64_t now) = 0;
};

}  // namespace sentinel::store
