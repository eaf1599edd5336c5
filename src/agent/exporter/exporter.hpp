#pragma once
// Drains the WAL to the gateway, in order, exactly as docs/protocol.md describes: many batches per
// push, one push in flight, each batch signed at send time; ACCEPTED and DUPLICATE are acked,
// REJECTED parked as dead letters, RETRY and failures sent again after a backoff that honours
// Retry-After. The WAL watermark advances only over a contiguous prefix of finished batches.
//
//   idle ──(durable records, enrolled)──> sending ──(200, all done)──> idle
//     ^                                     │ 429/503/5xx/transport/RETRY/401
//     └──────(retry_at reached)── backing off <┘
//
// Runs on the agent's strand; notify() must be called there too.

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sentinel/core/component.hpp"

#include "agent/agent_metrics.hpp"
#include "agent/exporter/backoff.hpp"
#include "agent/exporter/dead_letters.hpp"
#include "agent/exporter/gateway_client.hpp"
#include "agent/identity/credentials.hpp"
#include "agent/wal/wal.hpp"

namespace sentinel::agent {

struct ExporterOptions {
  std::size_t batches_per_request = 100;
  std::size_t max_request_bytes = 4 << 20;
  core::Duration retry_initial = std::chrono::milliseconds(500);
  core::Duration retry_max = std::chrono::seconds(60);
};

class Exporter {
 public:
  Exporter(boost::asio::any_io_executor strand, wal::Wal& wal, GatewayClient& gateway,
           Credentials& credentials, DeadLetters& dead_letters, AgentMetrics& metrics,
           ExporterOptions options, core::Logger log);

  // Sends until cancelled.
  boost::asio::awaitable<void> run();
  // New durable records, or a new identity: look for work now.
  void notify() { wake_.cancel(); }
  // True while the gateway refuses the agent's keys (401), for readiness.
  bool unauthorized() const { return unauthorized_; }

 private:
  struct Pending {
    std::uint64_t id = 0;
    std::uint64_t tag = 0;
    std::string batch;
    bool done = false;
  };

  boost::asio::awaitable<void> wait_for_work();
  void refill();
  std::vector<Pending*> next_request();
  boost::asio::awaitable<void> send(std::vector<Pending*> items);
  void handle_results(const GatewayReply& reply, const std::vector<Pending*>& items,
                      const AgentKey& signed_with);
  void handle_refusal(const GatewayReply& reply, const std::vector<Pending*>& items,
                      const AgentKey& signed_with);
  void acknowledge(Pending& item, std::string_view status);
  void park(Pending& item, std::string_view reason);
  void succeeded();
  void back_off(const GatewayReply& reply, std::size_t retried);
  void advance_watermark();

  wal::Wal& wal_;
  GatewayClient& gateway_;
  Credentials& credentials_;
  DeadLetters& dead_letters_;
  AgentMetrics& metrics_;
  ExporterOptions options_;
  core::Logger log_;
  boost::asio::steady_timer wake_;
  Backoff backoff_;
  std::deque<Pending> pending_;
  std::uint64_t loaded_through_ = 0;
  std::size_t request_limit_;  // halved after a 413/400, restored by successes
  core::Clock::time_point retry_at_{};
  bool unauthorized_ = false;
};

}  // namespace sentinel::agent
