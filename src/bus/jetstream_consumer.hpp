#pragma once
// A durable pull consumer on the JetStream stream. Fetches block in nats.c, so they run on the
// session's blocking pool; nats.c refuses two fetches at once on one subscription, so each fetch
// in flight takes its own subscription bound to the durable, from a small idle set.

#include <memory>
#include <mutex>
#include <vector>

#include "jetstream_session.hpp"

namespace sentinel::bus {

class JetStreamConsumer final : public Consumer {
 public:
  JetStreamConsumer(std::shared_ptr<NatsSession> session, ConsumerOptions options);

  boost::asio::awaitable<core::Result<Deliveries>> fetch(std::size_t max,
                                                         std::chrono::milliseconds wait) override;
  boost::asio::awaitable<core::Result<ConsumerInfo>> info() override;

 private:
  // Shared with the blocking calls in flight, which may outlive a consumer dropped meanwhile.
  class Pull;
  std::shared_ptr<Pull> pull_;
};

}  // namespace sentinel::bus
