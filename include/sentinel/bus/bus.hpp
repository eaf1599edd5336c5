#pragma once
// The message bus between gateways and workers: publish a batch durably, consume it with
// explicit acknowledgement. Two implementations: NATS JetStream (production, `bus.url:
// nats://...`) and an in-process bus (laptop mode), chosen by the `bus` component.
//
// Guarantees every implementation keeps:
//   - publish() completes with kAccepted only once the message is durable: JetStream's PubAck,
//     or, in process, once every consumer that confirms publishes (the worker, which commits
//     it to the store) has acknowledged it;
//   - a message id published twice within the duplicate window completes with kDuplicate;
//   - a delivery not acked is delivered again (after a nak's delay, or the ack wait).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "sentinel/core/component.hpp"
#include "sentinel/core/result.hpp"

namespace sentinel::bus {

// The subject of an agent's batches, and the stream that holds them all.
std::string metrics_subject(std::string_view agent_id);  // "sentinel.metrics.<agent_id>"
inline constexpr std::string_view kMetricsStream = "SENTINEL_METRICS";
inline constexpr std::string_view kMetricsSubjects = "sentinel.metrics.>";

struct OutgoingMessage {
  std::string subject;
  std::string message_id;  // the deduplication key, "<agent_id>:<batch_id>"
  std::string payload;
};

enum class PublishStatus { kAccepted, kDuplicate, kUnavailable };

struct PublishResult {
  PublishStatus status = PublishStatus::kUnavailable;
  std::string detail;  // why, when unavailable
  std::chrono::milliseconds retry_after{0};
};

// One delivered message. Exactly one of ack, nak or term settles it; they do not block.
class Delivery {
 public:
  virtual ~Delivery() = default;
  virtual std::string_view subject() const = 0;
  virtual std::string_view message_id() const = 0;
  virtual std::string_view payload() const = 0;
  virtual std::uint64_t delivery_count() const = 0;  // 1 the first time
  virtual std::uint64_t stream_sequence() const = 0;

  virtual void ack() = 0;
  // Deliver again after `delay` (a transient failure downstream, e.g. the database is down).
  virtual void nak(std::chrono::milliseconds delay) = 0;
  // Never deliver again (a poison message, already dead-lettered).
  virtual void term() = 0;
};

using Deliveries = std::vector<std::unique_ptr<Delivery>>;

struct ConsumerOptions {
  std::string durable_name;  // "sentinel-ingest", "sentinel-alerting"
  std::string filter_subject = std::string(kMetricsSubjects);
  std::chrono::milliseconds ack_wait{30'000};
  int max_deliver = 10;
  int max_ack_pending = 20'000;
  // In process only: a publish is answered once every matching consumer with this flag has
  // acked it, so it belongs to the consumers that make a message durable (the worker commits
  // it). A consumer without it still gets and settles every message, but no publisher waits
  // for it (the alert leader acks only after its next evaluation) unless no matching consumer
  // has the flag. JetStream ignores it: the stream's PubAck answers a publish there.
  bool confirms_publish = true;
};

struct ConsumerInfo {
  std::uint64_t pending = 0;      // messages not yet delivered (consumer lag)
  std::uint64_t ack_pending = 0;  // delivered, not yet acked
  std::uint64_t redelivered = 0;
};

class Consumer {
 public:
  virtual ~Consumer() = default;
  // Up to `max` messages, waiting at most `wait` for the first; empty when none came. Several
  // fetches may be in flight at once. Fails (transiently) while the bus is unreachable.
  virtual boost::asio::awaitable<core::Result<Deliveries>> fetch(
      std::size_t max, std::chrono::milliseconds wait) = 0;
  virtual boost::asio::awaitable<core::Result<ConsumerInfo>> info() = 0;
};

class Bus {
 public:
  virtual ~Bus() = default;
  virtual boost::asio::awaitable<PublishResult> publish(OutgoingMessage message) = 0;
  // Binds to the durable consumer, creating it with `options` when it does not exist.
  virtual boost::asio::awaitable<core::Result<std::unique_ptr<Consumer>>> consumer(
      ConsumerOptions options) = 0;
  virtual core::Readiness readiness() const = 0;
};

}  // namespace sentinel::bus
