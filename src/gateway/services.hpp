#pragma once
// What the gateway's handlers share, owned by the component and lent to each handler.

#include "sentinel/bus/bus.hpp"
#include "sentinel/gateway/gateway.hpp"
#include "sentinel/store/store.hpp"

#include "events.hpp"
#include "gateway_metrics.hpp"
#include "key_ring.hpp"
#include "nonce_ledger.hpp"
#include "rate_limiter.hpp"
#include "verifier.hpp"

namespace sentinel::gateway {

struct Services {
  // The nonce ledger's writes run on `strand` as tasks of `tasks`.
  Services(const Gateway::Config& config, store::Store& store, bus::Bus& bus,
           std::string_view master_key, core::MetricsRegistry& registry,
           core::TaskGroup::Strand strand, core::TaskGroup& tasks)
      : config(config),
        store(store),
        bus(bus),
        metrics(registry),
        keys(store, master_key, config.key_cache_ttl),
        nonces(store, std::move(strand), tasks),
        verifier(keys, nonces, config.replay_window, metrics),
        agent_limiter(config.rate_limit.agent_rate, config.rate_limit.agent_burst),
        ip_limiter(config.rate_limit.ip_rate, config.rate_limit.ip_burst) {}

  // 429 with Retry-After when `key` has spent its bucket.
  std::optional<http::Response> limit(RateLimiter& limiter, const std::string& key,
                                      std::string_view scope);

  const Gateway::Config& config;
  store::Store& store;
  bus::Bus& bus;
  GatewayMetrics metrics;
  KeyRing keys;
  NonceLedger nonces;
  Verifier verifier;
  EventHub events;
  RateLimiter agent_limiter;
  RateLimiter ip_limiter;
};

// The 200 answer to an agent: a serialized protobuf message.
http::Response protobuf_response(const google::protobuf::Message& message);

// The rotation an agent signing with `signing` must be told about: set when its current key is
// another one (docs/protocol.md, "Key rotation").
std::optional<v1::KeyRotation> pending_rotation(const AgentKeys& keys, const SigningKey& signing);

}  // namespace sentinel::gateway
