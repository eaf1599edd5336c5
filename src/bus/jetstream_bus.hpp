#pragma once
// The bus over NATS JetStream: publish with PubAck, durable pull consumers.

#include <memory>

#include "backend.hpp"
#include "jetstream_session.hpp"

namespace sentinel::bus {

class JetStreamBus final : public BusBackend {
 public:
  JetStreamBus(const BusComponent::Config& config, boost::asio::io_context& io, BusMetrics metrics,
               core::Logger log)
      : metrics_(metrics),
        session_(std::make_shared<NatsSession>(config, io, metrics, std::move(log))) {}

  boost::asio::awaitable<PublishResult> publish(OutgoingMessage message) override;
  boost::asio::awaitable<core::Result<std::unique_ptr<Consumer>>> consumer(
      ConsumerOptions options) override;
  core::Readiness readiness() const override { return session_->readiness(); }

  void start() override { session_->start(); }
  void stop(core::Deadline deadline) override { session_->stop(deadline); }

 private:
  BusMetrics metrics_;
  std::shared_ptr<NatsSession> session_;
};

}  // namespace sentinel::bus
