#include "inproc_bus.hpp"

#include <cassert>

namespace sentinel::bus {
namespace {

namespace asio = boost::asio;

class InprocDelivery final : public Delivery {
 public:
  InprocDelivery(std::shared_ptr<InprocQueue> queue, std::string durable, DeliveryRecord record)
      : queue_(std::move(queue)), durable_(std::move(durable)), record_(std::move(record)) {}

  std::string_view subject() const override { return record_.message->subject; }
  std::string_view message_id() const override { return record_.message->message_id; }
  std::string_view payload() const override { return record_.message->payload; }
  std::uint64_t delivery_count() const override { return record_.delivery; }
  std::uint64_t stream_sequence() const override { return record_.sequence; }

  void ack() override { settle(Settle::kAck, {}); }
  void nak(std::chrono::milliseconds delay) override { settle(Settle::kNak, delay); }
  void term() override { settle(Settle::kTerm, {}); }

 private:
  void settle(Settle how, core::Duration delay) {
    assert(!settled_ && "a delivery is settled once");
    settled_ = true;
    queue_->settle(durable_, record_, how, delay);
  }

  std::shared_ptr<InprocQueue> queue_;
  std::string durable_;
  DeliveryRecord record_;
  bool settled_ = false;
};

class InprocConsumer final : public Consumer {
 public:
  InprocConsumer(std::shared_ptr<InprocQueue> queue, std::string durable)
      : queue_(std::move(queue)), durable_(std::move(durable)) {}

  asio::awaitable<core::Result<Deliveries>> fetch(std::size_t max,
                                                  std::chrono::milliseconds wait) override {
    auto records = co_await suspend<InprocQueue::FetchResult>(
        [&](auto handler) { queue_->fetch(durable_, max, wait, std::move(handler)); });
    if (!records) co_return records.error();
    Deliveries deliveries;
    deliveries.reserve(records->size());
    for (auto& record : *records)
      deliveries.push_back(std::make_unique<InprocDelivery>(queue_, durable_, std::move(record)));
    co_return deliveries;
  }

  asio::awaitable<core::Result<ConsumerInfo>> info() override { co_return queue_->info(durable_); }

 private:
  std::shared_ptr<InprocQueue> queue_;
  std::string durable_;
};

}  // namespace

InprocBus::InprocBus(InprocSettings settings, asio::io_context& io, BusMetrics metrics)
    : metrics_(metrics), queue_(std::make_shared<InprocQueue>(settings, io, metrics)) {
  metrics_.connected().set(1);
}

asio::awaitable<PublishResult> InprocBus::publish(OutgoingMessage message) {
  const auto started = core::Clock::now();
  auto result = co_await suspend<PublishResult>(
      [&](auto handler) { queue_->publish(std::move(message), std::move(handler)); });
  metrics_.published(result.status,
                     std::chrono::duration<double>(core::Clock::now() - started).count());
  co_return result;
}

asio::awaitable<core::Result<std::unique_ptr<Consumer>>> InprocBus::consumer(
    ConsumerOptions options) {
  if (auto added = queue_->add_consumer(options); !added) co_return added.error();
  co_return std::unique_ptr<Consumer>(
      std::make_unique<InprocConsumer>(queue_, options.durable_name));
}

core::Readiness InprocBus::readiness() const {
  if (queue_->closed()) return {false, "the bus is stopped"};
  return {};
}

void InprocBus::stop(core::Deadline) {
  // Nothing can drain: the consumers that would ack stopped before the bus, and a publisher
  // that hears "unavailable" still holds its batch.
  queue_->close();
}

}  // namespace sentinel::bus
