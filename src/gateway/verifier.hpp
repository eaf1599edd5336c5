#pragma once
// Authentication of signed agent messages, in the order docs/protocol.md fixes: agent known
// and enabled; key_id current or in its grace period; HMAC in constant time; sent_at_ms within
// the replay window; nonce not seen within the window (remembered in the store, so every
// replica sees it, by the NonceLedger). Any failure refuses the whole request with 401.

#include <span>
#include <string>
#include <variant>

#include <boost/asio/awaitable.hpp>

#include "sentinel/http/message.hpp"
#include "sentinel/proto/signing.hpp"

#include "gateway_metrics.hpp"
#include "key_ring.hpp"
#include "nonce_ledger.hpp"

namespace sentinel::gateway {

struct SignedMessage {
  proto::SigningInput input;
  std::string_view signature;
};

// What authentication established: the agent's keys and the key that signed.
struct Verified {
  std::string agent_id;
  AgentKeys keys;
  SigningKey signing_key;
};

class Verifier {
 public:
  Verifier(KeyRing& keys, NonceLedger& nonces, core::Duration window, GatewayMetrics& metrics)
      : keys_(keys), nonces_(nonces), window_(window), metrics_(metrics) {}

  // `messages` all name one agent (the caller checks). The 401 (or 503) response on failure.
  boost::asio::awaitable<std::variant<Verified, http::Response>> verify(
      std::span<const SignedMessage> messages);

 private:
  std::optional<http::Response> check_signature(const AgentKeys& keys, const SignedMessage& message,
                                                std::int64_t now) const;
  boost::asio::awaitable<std::optional<http::Response>> remember_nonces(
      std::span<const SignedMessage> messages, std::int64_t now);
  http::Response refuse(std::string_view code, std::string message) const;

  KeyRing& keys_;
  NonceLedger& nonces_;
  core::Duration window_;
  GatewayMetrics& metrics_;
};

// 503 with Retry-After, the answer whenever a dependency (store, bus) cannot serve now.
http::Response unavailable(std::string_view message, core::Duration retry_after);

}  // namespace sentinel::gateway
