#pragma once
// The state of the in-process bus: stored messages, the durable consumers that must settle each
// one, and everyone waiting (publishers for the acks, fetchers for messages). A publisher hears
// kAccepted once every consumer that confirms publishes and whose filter matches the message
// (every matching consumer, when none of them confirms) has acked or terminated it, or given up
// on it after max_deliver deliveries; the message leaves the queue once every matching consumer
// has.
//
// Threading: every member runs under one mutex, from any thread; timers fire on the io_context
// and take the same mutex. Answers are posted to the waiter's own executor, never run inline.

#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sentinel/bus/bus.hpp"

#include "bus_metrics.hpp"
#include "completion.hpp"

namespace sentinel::bus {

struct InprocSettings {
  std::size_t capacity = 10'000;  // messages stored and not yet settled by every consumer
  core::Duration duplicate_window = std::chrono::minutes(2);
  core::Duration publish_timeout = std::chrono::seconds(5);
};

// One delivery of a stored message to a durable consumer.
struct DeliveryRecord {
  std::shared_ptr<const OutgoingMessage> message;
  std::uint64_t sequence = 0;
  std::uint64_t delivery = 0;  // 1 the first time
};

enum class Settle { kAck, kNak, kTerm };

class InprocQueue : public std::enable_shared_from_this<InprocQueue> {
 public:
  using FetchResult = core::Result<std::vector<DeliveryRecord>>;

  InprocQueue(InprocSettings settings, boost::asio::io_context& io, BusMetrics metrics);
  ~InprocQueue();

  void publish(OutgoingMessage message, Handler<PublishResult> handler);
  // Creates the durable consumer, or updates the settings of the one with that name.
  core::Status add_consumer(const ConsumerOptions& options);
  void fetch(const std::string& durable, std::size_t max, core::Duration wait,
             Handler<FetchResult> handler);
  void settle(const std::string& durable, const DeliveryRecord& record, Settle how,
              core::Duration delay);
  core::Result<ConsumerInfo> info(const std::string& durable) const;
  // Answers every waiter kUnavailable (or an empty fetch) and refuses new work.
  void close();
  bool closed() const;

 private:
  struct PublishWaiter {
    PublishStatus on_success;  // kAccepted for the first copy, kDuplicate for a repeat
    Handler<PublishResult> handler;
    boost::asio::steady_timer timer;
  };
  struct FetchWaiter {
    std::size_t max;
    Handler<FetchResult> handler;
    boost::asio::steady_timer timer;
  };
  struct Stored {
    std::shared_ptr<const OutgoingMessage> message;
    std::size_t unsettled = 0;    // consumers that have yet to settle it
    std::size_t unconfirmed = 0;  // of those, the ones its publisher waits for
    // No matching consumer confirms publishes: the publisher waits for all of them instead.
    bool awaits_every_consumer = false;
    bool awaits(const ConsumerOptions& consumer) const {
      return awaits_every_consumer || consumer.confirms_publish;
    }
    std::vector<std::shared_ptr<PublishWaiter>> waiters;
  };
  // A message delivered to a consumer at least once and not yet settled by it.
  struct Outstanding {
    std::uint64_t deliveries = 0;
    bool queued = false;                               // in `ready`, to be delivered again
    std::uint64_t generation = 0;                      // of the timer's current wait
    std::unique_ptr<boost::asio::steady_timer> timer;  // the ack wait, or a nak's delay
  };
  struct Durable {
    ConsumerOptions options;
    std::deque<std::uint64_t> ready;  // to deliver now, in order
    std::map<std::uint64_t, Outstanding> outstanding;
    std::list<std::shared_ptr<FetchWaiter>> fetchers;
  };
  struct RememberedId {
    std::uint64_t sequence;
    core::Clock::time_point expires;
  };

  void forget_expired_ids(core::Clock::time_point now);
  void wait_for_settlement(Stored& stored, std::uint64_t sequence, PublishStatus on_success,
                           Handler<PublishResult> handler);
  void answer_publish_timeout(std::uint64_t sequence, const std::shared_ptr<PublishWaiter>& waiter);
  void store(OutgoingMessage message, std::vector<Durable*> consumers,
             Handler<PublishResult> handler);
  std::vector<DeliveryRecord> take(Durable& durable, std::size_t max);
  void serve(Durable& durable);
  void arm(Durable& durable, std::uint64_t sequence, core::Duration after);
  void make_ready(Durable& durable, std::uint64_t sequence);
  void settle_for(Durable& durable, std::uint64_t sequence);
  // Answers the publishers waiting for `stored`: every consumer they wait for has settled it.
  void confirm(Stored& stored);
  Durable* find(const std::string& name);

  InprocSettings settings_;
  boost::asio::io_context& io_;
  BusMetrics metrics_;
  mutable std::mutex mutex_;
  bool closed_ = false;
  std::uint64_t last_sequence_ = 0;
  std::map<std::uint64_t, Stored> messages_;
  std::unordered_map<std::string, RememberedId> ids_;  // message id -> sequence, for dedup
  std::deque<std::pair<std::string, std::uint64_t>> ids_by_age_;
  std::map<std::string, Durable, std::less<>> durables_;  // node-based: pointers stay valid
};

// NATS subject matching: `*` matches one token, a final `>` one or more.
bool subject_matches(std::string_view filter, std::string_view subject);

}  // namespace sentinel::bus
