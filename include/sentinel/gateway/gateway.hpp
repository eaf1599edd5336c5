#pragma once
// The `gateway` component: the agent endpoints of docs/protocol.md (enrolment, signed pushes into
// the bus, heartbeats) and the admin API under /api/v1 (agents, fleet, tokens, bootstrap tokens,
// events, OpenAPI). It needs the `http`, `store`, `bus` and `auth` components.

#include <chrono>
#include <cstddef>
#include <memory>

#include "sentinel/core/component.hpp"
#include "sentinel/core/config.hpp"

namespace sentinel::gateway {

// What a well-formed batch stays within (docs/protocol.md, "Limits").
struct BatchLimits {
  std::size_t max_metrics = 10'000;
  std::size_t max_name_bytes = 200;
  std::size_t max_labels = 32;
  std::size_t max_label_name_bytes = 100;
  std::size_t max_label_value_bytes = 1024;
};

// Token buckets: `rate` requests per second refilling up to `burst`; rate 0 turns one off.
struct RateLimits {
  double agent_rate = 50;
  double agent_burst = 100;
  double ip_rate = 200;
  double ip_burst = 400;
};

class Gateway final : public core::Component {
 public:
  static constexpr std::string_view kName = "gateway";

  struct Config {
    core::Duration replay_window = std::chrono::minutes(5);
    core::ByteSize max_request_bytes{16 * 1024 * 1024};  // compressed and decompressed
    std::size_t max_batches = 1000;                      // per request
    BatchLimits batch;
    RateLimits rate_limit;
    core::Duration rotation_grace = std::chrono::hours(24);
    core::Duration key_cache_ttl = std::chrono::seconds(5);  // how soon other replicas see changes
    core::Duration stale_after = std::chrono::seconds(90);
    core::Duration offline_after = std::chrono::minutes(5);
    core::Duration presence_interval = std::chrono::seconds(5);
    core::Duration retry_after = std::chrono::seconds(5);  // on 503 when the bus cannot take more
    static Config parse(core::ConfigSection& section);
  };

  Gateway(const Config& config, core::ComponentContext& context);
  ~Gateway() override;

  void start() override;
  void stop(core::Deadline deadline) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentinel::gateway
