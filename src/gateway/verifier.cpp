#include "verifier.hpp"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "sentinel/core/crypto.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/gateway/auth.hpp"

namespace sentinel::gateway {

http::Response unavailable(std::string_view message, core::Duration retry_after) {
  auto response = http::error_response(503, "unavailable", message);
  const auto seconds =
      std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(retry_after).count());
  response.headers.set("Retry-After", std::to_string(seconds));
  return response;
}

http::Response Verifier::refuse(std::string_view code, std::string message) const {
  metrics_.auth_failures.with({std::string(code)}).inc();
  return http::error_response(401, code, message);
}

boost::asio::awaitable<std::variant<Verified, http::Response>> Verifier::verify(
    std::span<const SignedMessage> messages) {
  const std::string agent_id(messages.front().input.agent_id);
  auto keys = co_await keys_.get(agent_id);
  if (!keys)
    co_return unavailable("the agent registry cannot be read now", std::chrono::seconds(1));
  if (!keys->exists) co_return refuse("unknown_agent", fmt::format("no agent {}", agent_id));
  if (!keys->enabled) co_return refuse("agent_disabled", fmt::format("{} is disabled", agent_id));
  const auto now = core::unix_ms();
  for (const auto& message : messages) {
    if (auto refused = check_signature(*keys, message, now)) co_return std::move(*refused);
  }
  if (auto refused = co_await remember_nonces(messages, now)) co_return std::move(*refused);
  const auto* key = keys->find(messages.front().input.key_id, now);
  co_return Verified{agent_id, std::move(*keys), *key};
}

std::optional<http::Response> Verifier::check_signature(const AgentKeys& keys,
                                                        const SignedMessage& message,
                                                        std::int64_t now) const {
  const auto& input = message.input;
  const auto* key = keys.find(input.key_id, now);
  if (!key) return refuse("unknown_key", fmt::format("key {} is not valid", input.key_id));
  if (!proto::verify(key->secret, input, message.signature)) {
    return refuse("bad_signature", "the signature does not verify");
  }
  const auto skew = input.sent_at_ms - now;
  if (std::abs(skew) > window_.count()) {
    return refuse("stale_timestamp",
                  fmt::format("sent_at_ms is {} s {} the gateway's clock", std::abs(skew) / 1000,
                              skew < 0 ? "behind" : "ahead of"));
  }
  if (input.nonce.size() != proto::kNonceSize) {
    return refuse("replayed_nonce", fmt::format("the nonce must be {} bytes", proto::kNonceSize));
  }
  return std::nullopt;
}

boost::asio::awaitable<std::optional<http::Response>> Verifier::remember_nonces(
    std::span<const SignedMessage> messages, std::int64_t now) {
  // Remembered until sent_at + window: after that the timestamp check refuses a replay anyway.
  std::vector<store::NonceUse> uses;
  uses.reserve(messages.size());
  for (const auto& message : messages) {
    const auto& input = message.input;
    uses.push_back({std::string(input.agent_id), core::to_hex(input.nonce),
                    input.sent_at_ms + window_.count()});
  }
  auto fresh = co_await nonces_.remember(std::move(uses), now);
  if (!fresh)
    co_return unavailable("the replay cache cannot be written now", std::chrono::seconds(1));
  if (std::ranges::find(*fresh, false) != fresh->end())
    co_return refuse("replayed_nonce", "this nonce was seen before");
  co_return std::nullopt;
}

}  // namespace sentinel::gateway
