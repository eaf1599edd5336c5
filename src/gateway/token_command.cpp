// `sentineld token create` and `sentineld token bootstrap create`: the way the first admin
// token comes to exist (there is no default secret), run against the configured database.

#include <fmt/format.h>

#include "sentinel/core/config_types.hpp"
#include "sentinel/gateway/auth.hpp"
#include "sentinel/store/component.hpp"

namespace sentinel::gateway {
namespace {

template <class Minted>
int report(const core::Result<Minted>& minted, std::string_view kind) {
  if (!minted) {
    fmt::print(stderr, "sentineld token: {}\n", minted.error().message);
    return 1;
  }
  fmt::print("{}\n", minted->token);
  fmt::print(stderr, "created {} {} ({}); the token is shown only this once\n", kind,
             minted->record.id, minted->record.name);
  return 0;
}

}  // namespace

int token_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                  std::filesystem::path default_data_dir, const TokenRequest& request) {
  core::Duration ttl{0};
  if (!request.ttl.empty()) {
    auto parsed = core::parse_duration(request.ttl);
    if (!parsed || parsed->count() <= 0) {
      fmt::print(stderr, "sentineld token: --ttl {}: expected a duration such as 30m, 1h, 90d\n",
                 request.ttl);
      return 2;
    }
    ttl = *parsed;
  } else if (request.bootstrap) {
    ttl = std::chrono::hours(1);
  }
  if (!request.bootstrap && !valid_role(request.role)) {
    fmt::print(stderr, "sentineld token: --role must be admin, viewer or agent-enroller\n");
    return 2;
  }
  return store::with_store(
      catalog, std::move(inputs), std::move(default_data_dir),
      [&](store::Store& store) -> boost::asio::awaitable<int> {
        if (request.bootstrap) {
          auto minted = co_await mint_bootstrap_token(store, request.name, request.uses, ttl);
          co_return report(minted, "bootstrap token");
        }
        auto minted = co_await mint_api_token(store, request.name, request.role, ttl);
        co_return report(minted, "API token");
      });
}

}  // namespace sentinel::gateway
