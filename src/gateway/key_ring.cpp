#include "key_ring.hpp"

#include <fmt/format.h>

#include "sentinel/core/unix_time.hpp"
#include "sentinel/gateway/auth.hpp"
#include "sentinel/store/session.hpp"

namespace sentinel::gateway {
namespace {

constexpr std::string_view kPurpose = "sentinel agent secrets v1";
constexpr std::size_t kMaxEntries = 100'000;

std::string binding(std::string_view agent_id, std::string_view key_id) {
  return fmt::format("{}\n{}", agent_id, key_id);
}

struct Loaded {
  std::optional<bool> enabled;  // unset: no such agent
  std::vector<store::AgentKey> keys;
};

}  // namespace

const SigningKey* AgentKeys::find(std::string_view key_id, std::int64_t now) const {
  for (const auto& key : keys) {
    if (key.key_id == key_id && (!key.retires_at || *key.retires_at > now)) return &key;
  }
  return nullptr;
}

const SigningKey* AgentKeys::current() const {
  for (const auto& key : keys) {
    if (!key.retires_at) return &key;
  }
  return nullptr;
}

std::string new_key_id() {
  return "key_" + core::to_hex(core::random_bytes(8));
}

KeyRing::KeyRing(store::Store& store, std::string_view master_key, core::Duration ttl)
    : store_(store), sealing_(master_key, kPurpose), cache_(ttl, kMaxEntries) {}

std::string KeyRing::seal(std::string_view agent_id, std::string_view key_id,
                          std::string_view secret) const {
  return core::to_base64url(sealing_.seal(secret, binding(agent_id, key_id)));
}

AgentKeys KeyRing::open(const std::optional<bool>& enabled,
                        const std::vector<store::AgentKey>& rows,
                        const std::string& agent_id) const {
  AgentKeys keys;
  keys.exists = enabled.has_value();
  keys.enabled = enabled.value_or(false);
  for (const auto& row : rows) {
    auto sealed = core::from_base64url(row.sealed_secret);
    auto secret = sealed ? sealing_.open(*sealed, binding(agent_id, row.key_id)) : std::nullopt;
    // A key that does not open was sealed under another master key: it cannot verify anything.
    if (secret) keys.keys.push_back({row.key_id, std::move(*secret), row.retires_at});
  }
  return keys;
}

boost::asio::awaitable<core::Result<AgentKeys>> KeyRing::get(const std::string& agent_id) {
  if (auto cached = cache_.find(agent_id)) co_return std::move(*cached);
  const auto stamp = cache_.stamp();
  const auto now = core::unix_ms();
  auto loaded = co_await store_.run(
      [&](store::Session& session) {
        Loaded result;
        if (auto agent = session.agents().get(agent_id)) {
          result.enabled = agent->enabled;
          result.keys = session.credentials().valid_keys(agent_id, now);
        }
        return result;
      },
      store::Access::kRead);
  if (!loaded) co_return loaded.error();
  auto keys = open(loaded->enabled, loaded->keys, agent_id);
  cache_.put(agent_id, keys, stamp);
  co_return keys;
}

void KeyRing::invalidate(const std::string& agent_id) {
  cache_.invalidate(agent_id);
}

}  // namespace sentinel::gateway
