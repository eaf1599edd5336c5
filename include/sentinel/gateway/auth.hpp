#pragma once
// The `auth` component: API bearer tokens. It adds an HTTP filter that enforces each route's
// RouteOptions::role ("admin", "viewer", "agent-enroller"; admin satisfies every role, and an
// /api/v1 route that names none needs "viewer"), and mints and checks tokens, which are stored
// as SHA-256 hashes only. `sentineld token ...` mints them from the command line.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "sentinel/core/component.hpp"
#include "sentinel/core/config.hpp"
#include "sentinel/core/registry.hpp"
#include "sentinel/core/result.hpp"
#include "sentinel/store/credentials.hpp"
#include "sentinel/store/store.hpp"

namespace sentinel::gateway {

inline constexpr std::string_view kAdmin = "admin";
inline constexpr std::string_view kViewer = "viewer";
inline constexpr std::string_view kEnroller = "agent-enroller";

// True when a token of `held` may call a route that needs `needed`.
bool role_satisfies(std::string_view held, std::string_view needed);
bool valid_role(std::string_view role);

// The hex SHA-256 under which a token is stored.
std::string token_hash(std::string_view token);

struct MintedApiToken {
  std::string token;  // "stk_...": shown once, never stored
  store::ApiToken record;
};
struct MintedBootstrapToken {
  std::string token;  // "sbt_..."
  store::BootstrapToken record;
};

// Creates and stores a token; `ttl` zero means no expiry (API tokens only).
boost::asio::awaitable<core::Result<MintedApiToken>> mint_api_token(store::Store& store,
                                                                    std::string name,
                                                                    std::string role,
                                                                    core::Duration ttl);
boost::asio::awaitable<core::Result<MintedBootstrapToken>> mint_bootstrap_token(store::Store& store,
                                                                                std::string name,
                                                                                std::int64_t uses,
                                                                                core::Duration ttl);

class Auth final : public core::Component {
 public:
  static constexpr std::string_view kName = "auth";

  struct Config {
    // How long a checked token is trusted without asking the database again: bounds how late
    // a revocation takes effect on another replica (this one forgets at once).
    core::Duration cache_ttl = std::chrono::seconds(5);
    // last_used_at is written at most this often per token.
    core::Duration touch_interval = std::chrono::minutes(1);
    static Config parse(core::ConfigSection& section);
  };

  Auth(const Config& config, core::ComponentContext& context);
  ~Auth() override;

  // Forgets cached tokens, after a revocation through this process.
  void invalidate();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// `sentineld token create --role R --ttl D [--name N]` and `sentineld token bootstrap create
// --ttl D --uses N --name N`: prints the token. Returns the exit code.
struct TokenRequest {
  bool bootstrap = false;
  std::string role;
  std::string name;
  std::string ttl;  // a duration ("1h"); empty: API tokens never expire, bootstrap ones in 1h
  std::int64_t uses = 1;
};
int token_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                  std::filesystem::path default_data_dir, const TokenRequest& request);

}  // namespace sentinel::gateway
