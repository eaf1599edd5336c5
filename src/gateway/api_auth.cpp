// The `auth` component: checks `Authorization: Bearer` tokens against the store, with a short
// cache so that a busy dashboard does not cost a query per request.

#include <map>
#include <mutex>
#include <variant>

#include <fmt/format.h>

#include "sentinel/core/metrics.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/gateway/auth.hpp"
#include "sentinel/http/server.hpp"
#include "sentinel/store/component.hpp"
#include "sentinel/store/session.hpp"

#include "credential_cache.hpp"

namespace sentinel::gateway {
namespace {

constexpr std::string_view kApiPrefix = "/api/v1";

// The role a route needs: its own, or viewer for an /api/v1 route that names none, so that no
// API route is ever open by omission.
std::string_view needed_role(const http::Route& route) {
  if (!route.options.role.empty()) return route.options.role;
  if (route.pattern.starts_with(kApiPrefix)) return kViewer;
  return {};
}

std::optional<std::string_view> bearer(const http::Request& request) {
  auto header = request.headers.get("Authorization");
  if (!header) return std::nullopt;
  constexpr std::string_view kScheme = "Bearer ";
  if (header->size() <= kScheme.size() || !header->starts_with(kScheme)) return std::nullopt;
  return header->substr(kScheme.size());
}

http::Response unauthorized(std::string_view code, std::string_view message) {
  auto response = http::error_response(401, code, message);
  response.headers.set("WWW-Authenticate", "Bearer");
  return response;
}

}  // namespace

Auth::Config Auth::Config::parse(core::ConfigSection& section) {
  using namespace std::chrono_literals;
  Config config;
  section.read("cache_ttl", config.cache_ttl, core::Range<core::Duration>{0ms, 5min});
  section.read("touch_interval", config.touch_interval, core::Range<core::Duration>{1s, 1h});
  return config;
}

class Auth::Impl {
 public:
  Impl(const Config& config, core::ComponentContext& context)
      : config_(config),
        store_(context.get<store::StoreComponent>().store()),
        failures_(context.metrics().counter_family("sentinel_auth_failures_total",
                                                   "API requests refused, by reason", {"reason"})),
        cache_(config.cache_ttl, kMaxCachedTokens) {
    context.get<http::Server>().add_filter(
        [this](http::Request& request, const http::Route& route) { return check(request, route); });
  }

  void invalidate() { cache_.clear(); }

 private:
  // Unknown tokens are cached too: a flood of made-up ones must not reach the store.
  static constexpr std::size_t kMaxCachedTokens = 100'000;

  boost::asio::awaitable<std::optional<http::Response>> check(http::Request& request,
                                                              const http::Route& route) {
    const auto needed = needed_role(route);
    if (needed.empty()) co_return std::nullopt;
    const auto presented = bearer(request);
    if (!presented) co_return refuse("missing_token", "an Authorization: Bearer token");
    const auto hash = token_hash(*presented);
    auto token = co_await lookup(hash);
    if (!token) {
      auto response = http::error_response(503, "unavailable", "cannot check the token now");
      response.headers.set("Retry-After", "1");
      co_return response;
    }
    const auto now = core::unix_ms();
    if (!*token) co_return refuse("unknown_token", "a token this server issued");
    const auto& record = **token;
    if (record.revoked_at) co_return refuse("revoked_token", "a token not revoked");
    if (record.expires_at && *record.expires_at <= now) {
      co_return refuse("expired_token", "a token not expired");
    }
    if (!role_satisfies(record.role, needed)) {
      failures_.with({"wrong_role"}).inc();
      co_return http::error_response(
          403, "forbidden",
          fmt::format("this route needs role {}, the token has {}", needed, record.role));
    }
    request.principal = record.name;
    co_await touch(record, now);
    co_return std::nullopt;
  }

  http::Response refuse(std::string_view reason, std::string_view expected) {
    failures_.with({std::string(reason)}).inc();
    return unauthorized(reason, fmt::format("this route needs {}", expected));
  }

  // The token with `hash`, from the cache or the store; nullopt inside when none has it.
  boost::asio::awaitable<core::Result<std::optional<store::ApiToken>>> lookup(
      const std::string& hash) {
    if (auto cached = cache_.find(hash)) co_return std::move(*cached);
    const auto stamp = cache_.stamp();
    auto found = co_await store_.run(
        [&](store::Session& session) { return session.credentials().find_api_token(hash); },
        store::Access::kRead);
    if (!found) co_return core::Error{"unavailable", found.error().message, true};
    cache_.put(hash, *found, stamp);
    co_return *found;
  }

  boost::asio::awaitable<void> touch(const store::ApiToken& token, std::int64_t now) {
    {
      std::lock_guard lock(touched_mutex_);
      auto& last = touched_[token.id];
      if (now - last < config_.touch_interval.count()) co_return;
      last = now;
    }
    const auto& id = token.id;
    // A failed write of last_used_at must not refuse a request that was authenticated.
    (void)co_await store_.run([&](store::Session& session) {
      session.credentials().touch_api_token(id, now);
      return core::Unit{};
    });
  }

  Config config_;
  store::Store& store_;
  core::Family<core::Counter>& failures_;
  CredentialCache<std::optional<store::ApiToken>> cache_;
  std::mutex touched_mutex_;
  std::map<std::string, std::int64_t> touched_;
};

Auth::Auth(const Config& config, core::ComponentContext& context)
    : impl_(std::make_unique<Impl>(config, context)) {}

Auth::~Auth() = default;

void Auth::invalidate() {
  impl_->invalidate();
}

}  // namespace sentinel::gateway
