// Minting of API and bootstrap tokens: 32 random bytes shown once, a SHA-256 stored.

#include <fmt/format.h>

#include "sentinel/core/crypto.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/gateway/auth.hpp"
#include "sentinel/store/session.hpp"

namespace sentinel::gateway {
namespace {

std::string random_id(std::string_view prefix) {
  return fmt::format("{}{}", prefix, core::to_base64url(core::random_bytes(12)));
}

}  // namespace

bool valid_role(std::string_view role) {
  return role == kAdmin || role == kViewer || role == kEnroller;
}

bool role_satisfies(std::string_view held, std::string_view needed) {
  return needed.empty() || held == kAdmin || held == needed;
}

std::string token_hash(std::string_view token) {
  return core::to_hex(core::sha256(token));
}

boost::asio::awaitable<core::Result<MintedApiToken>> mint_api_token(store::Store& store,
                                                                    std::string name,
                                                                    std::string role,
                                                                    core::Duration ttl) {
  if (!valid_role(role)) {
    co_return core::Error{"invalid_argument", "role must be admin, viewer or agent-enroller"};
  }
  MintedApiToken minted;
  minted.token = "stk_" + core::to_base64url(core::random_bytes(32));
  auto& record = minted.record;
  record.id = random_id("tok_");
  record.name = name.empty() ? record.id : std::move(name);
  record.role = std::move(role);
  record.created_at = core::unix_ms();
  if (ttl.count() > 0) record.expires_at = record.created_at + ttl.count();
  const auto hash = token_hash(minted.token);
  auto stored = co_await store.run([&](store::Session& session) {
    session.credentials().create_api_token(record, hash);
    return core::Unit{};
  });
  if (!stored) co_return stored.error();
  co_return minted;
}

boost::asio::awaitable<core::Result<MintedBootstrapToken>> mint_bootstrap_token(
    store::Store& store, std::string name, std::int64_t uses, core::Duration ttl) {
  if (name.empty()) co_return core::Error{"invalid_argument", "a bootstrap token needs a name"};
  if (uses < 1) co_return core::Error{"invalid_argument", "uses must be at least 1"};
  if (ttl.count() <= 0) co_return core::Error{"invalid_argument", "ttl must be positive"};
  MintedBootstrapToken minted;
  minted.token = "sbt_" + core::to_base64url(core::random_bytes(32));
  auto& record = minted.record;
  record.id = random_id("bst_");
  record.name = std::move(name);
  record.uses_left = uses;
  record.created_at = core::unix_ms();
  record.expires_at = record.created_at + ttl.count();
  const auto hash = token_hash(minted.token);
  auto stored = co_await store.run([&](store::Session& session) {
    session.credentials().create_bootstrap_token(record, hash);
    return core::Unit{};
  });
  if (!stored) co_return stored.error();
  co_return minted;
}

}  // namespace sentinel::gateway
