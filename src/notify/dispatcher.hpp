#pragma once
// The outbox sender: reads due notifications, groups those of one rule and notifier into one
// message, sends it, and records the attempt; a failure is retried with exponential backoff and
// jitter (or after a 429's Retry-After) up to max_attempts, then dead-lettered. Each pass's
// outcome is written in one transaction.

#include <cstdint>
#include <random>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "sentinel/core/log.hpp"
#include "sentinel/core/metrics.hpp"
#include "sentinel/notify/component.hpp"
#include "sentinel/store/store.hpp"

#include "notifier_codec.hpp"
#include "sender.hpp"

namespace sentinel::notify {

struct NotifyMetrics {
  explicit NotifyMetrics(core::MetricsRegistry& registry);
  core::Family<core::Counter>& notifications;  // {channel, result}
  core::Histogram& send_seconds;
  core::Gauge& dead_letters;
  core::Gauge& oldest_pending_seconds;
  core::Gauge& leader;
};

// The delay before attempt `attempts + 1`: initial * 2^(attempts - 1), capped, then scaled by a
// random factor in [0.5, 1] so that many failures do not retry in step.
std::int64_t backoff_ms(int attempts, core::Duration initial, core::Duration max, double jitter);

class Dispatcher {
 public:
  Dispatcher(const NotifyComponent::Config& config, store::Store& store, const NotifierCodec& codec,
             Sender& sender, NotifyMetrics& metrics, core::Logger log);

  // Polls until `lease` is lost.
  boost::asio::awaitable<void> run(const store::Lease& lease);
  // One pass over what is due at `now`; returns how many rows it handled.
  boost::asio::awaitable<std::size_t> poll(std::int64_t now);

 private:
  struct Outcome {
    std::vector<store::OutboxRow> rows;
    SendOutcome send;
    std::int64_t duration_ms = 0;
  };
  boost::asio::awaitable<Outcome> deliver(const store::NotifierRow* notifier,
                                          std::vector<store::OutboxRow> rows);
  void settle(store::Session& session, const Outcome& outcome, const std::string& notifier,
              std::int64_t now);
  boost::asio::awaitable<void> update_gauges(std::int64_t now);

  const NotifyComponent::Config& config_;
  store::Store& store_;
  const NotifierCodec& codec_;
  Sender& sender_;
  NotifyMetrics& metrics_;
  core::Logger log_;
  std::minstd_rand random_;
};

}  // namespace sentinel::notify
