#pragma once
// The in-process bus (laptop mode): the Bus interface over an InprocQueue, with no broker.

#include <memory>

#include "backend.hpp"
#include "bus_metrics.hpp"
#include "inproc_queue.hpp"

namespace sentinel::bus {

class InprocBus final : public BusBackend {
 public:
  InprocBus(InprocSettings settings, boost::asio::io_context& io, BusMetrics metrics);

  boost::asio::awaitable<PublishResult> publish(OutgoingMessage message) override;
  boost::asio::awaitable<core::Result<std::unique_ptr<Consumer>>> consumer(
      ConsumerOptions options) override;
  core::Readiness readiness() const override;

  void start() override {}
  void stop(core::Deadline deadline) override;

 private:
  BusMetrics metrics_;
  std::shared_ptr<InprocQueue> queue_;
};

}  // namespace sentinel::bus
