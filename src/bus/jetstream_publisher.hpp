#pragma once
// Asynchronous, pipelined publishing to JetStream: each publish goes out at once with its
// Nats-Msg-Id header, and its answer (PubAck, duplicate, error or timeout) comes back through
// nats.c's ack handler. Many publishes are in flight; above max_pending a publish is refused.
//
// Threading: publish() and answer() run on the owner's strand only; pending() and
// wait_drained() are for any other thread.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <unordered_map>

#include "sentinel/bus/bus.hpp"

#include "bus_metrics.hpp"
#include "completion.hpp"
#include "nats_handles.hpp"

namespace sentinel::bus {

struct PublisherSettings {
  std::string stream;  // publishes are refused unless this stream takes them
  std::size_t max_pending = 10'000;
  core::Duration timeout = std::chrono::seconds(5);
};

class Publisher {
 public:
  Publisher(PublisherSettings settings, BusMetrics metrics)
      : settings_(std::move(settings)), metrics_(metrics) {}

  void publish(jsCtx* js, const OutgoingMessage& message, Handler<PublishResult> handler);
  // The answer for `message`, which nats.c hands back to be destroyed here.
  void answer(natsMsg* message, PublishResult result);
  // Answers every publish still waiting; their messages stay with nats.c, which frees them.
  void abandon(const std::string& reason);

  std::size_t pending() const { return count_.load(); }
  // Blocks until no publish is pending or `deadline` passes; true when none is.
  bool wait_drained(core::Deadline deadline);

 private:
  void update_count();

  PublisherSettings settings_;
  BusMetrics metrics_;
  // Keyed by the message nats.c hands back. An address is never reused while its entry lives:
  // the message is destroyed only after the entry is erased.
  std::unordered_map<natsMsg*, Handler<PublishResult>> pending_;
  std::atomic<std::size_t> count_{0};
  std::mutex mutex_;
  std::condition_variable drained_;
};

}  // namespace sentinel::bus
