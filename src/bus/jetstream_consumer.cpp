#include "jetstream_consumer.hpp"

#include <algorithm>
#include <cassert>

#include <climits>
#include <fmt/format.h>

#include "jetstream_setup.hpp"

namespace sentinel::bus {
namespace {

namespace asio = boost::asio;

// nats.c's own subscriptions, shared by the deliveries they fetched: acking needs it alive.
using Subscription = std::shared_ptr<natsSubscription>;

class NatsDelivery final : public Delivery {
 public:
  NatsDelivery(MessageHandle message, Subscription subscription,
               std::shared_ptr<NatsSession> session)
      : message_(std::move(message)),
        subscription_(std::move(subscription)),
        session_(std::move(session)) {
    const char* id = nullptr;
    if (natsMsgHeader_Get(message_.get(), "Nats-Msg-Id", &id) == NATS_OK && id != nullptr)
      message_id_ = id;
    jsMsgMetaData* meta = nullptr;
    if (natsMsg_GetMetaData(&meta, message_.get()) == NATS_OK) {
      delivery_count_ = meta->NumDelivered;
      stream_sequence_ = meta->Sequence.Stream;
      jsMsgMetaData_Destroy(meta);
    }
  }

  std::string_view subject() const override { return natsMsg_GetSubject(message_.get()); }
  std::string_view message_id() const override { return message_id_; }
  std::string_view payload() const override {
    return {natsMsg_GetData(message_.get()),
            static_cast<std::size_t>(natsMsg_GetDataLength(message_.get()))};
  }
  std::uint64_t delivery_count() const override { return delivery_count_; }
  std::uint64_t stream_sequence() const override { return stream_sequence_; }

  // Each only queues a protocol message on the connection: none waits for the server.
  void ack() override { settled("ack", natsMsg_Ack(message_.get(), nullptr)); }
  void nak(std::chrono::milliseconds delay) override {
    settled("nak", natsMsg_NakWithDelay(message_.get(), delay.count(), nullptr));
  }
  void term() override { settled("term", natsMsg_Term(message_.get(), nullptr)); }

 private:
  void settled(std::string_view op, natsStatus status) {
    assert(!settled_ && "a delivery is settled once");
    settled_ = true;
    // Not sent (the connection is down): JetStream delivers the message again after ack_wait.
    if (status != NATS_OK) session_->metrics().settle_failed(op);
  }

  MessageHandle message_;
  Subscription subscription_;
  std::shared_ptr<NatsSession> session_;
  std::string message_id_;
  std::uint64_t delivery_count_ = 1;
  std::uint64_t stream_sequence_ = 0;
  bool settled_ = false;
};

}  // namespace

class JetStreamConsumer::Pull {
 public:
  Pull(std::shared_ptr<NatsSession> session, ConsumerOptions options)
      : session_(std::move(session)), options_(std::move(options)) {}

  NatsSession& session() { return *session_; }

  // On a pool thread.
  core::Result<Deliveries> fetch(std::size_t max, core::Duration wait) {
    auto js = session_->jetstream();
    if (!js) return js.error();
    auto subscription = take(*js);
    if (!subscription) return subscription.error();
    natsMsgList list{};
    jsErrCode code{};
    const auto batch = static_cast<int>(std::min<std::size_t>(max, INT_MAX));
    const auto wait_ms =
        std::max<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(wait).count(), 1);
    const natsStatus status =
        natsSubscription_Fetch(&list, subscription->get(), batch, wait_ms, &code);
    if (status == NATS_TIMEOUT) {
      give_back(std::move(*subscription));
      return Deliveries{};
    }
    if (status != NATS_OK) {
      // Dropped rather than given back: it may be broken (its consumer deleted, say).
      return nats_failure(fmt::format("fetching from consumer {}", options_.durable_name), status,
                          code);
    }
    Deliveries deliveries;
    for (int i = 0; i < list.Count; ++i) {
      deliveries.push_back(
          std::make_unique<NatsDelivery>(MessageHandle(list.Msgs[i]), *subscription, session_));
      list.Msgs[i] = nullptr;
    }
    natsMsgList_Destroy(&list);
    give_back(std::move(*subscription));
    return deliveries;
  }

  // On a pool thread.
  core::Result<ConsumerInfo> info() {
    auto js = session_->jetstream();
    if (!js) return js.error();
    jsConsumerInfo* raw = nullptr;
    jsErrCode code{};
    const natsStatus status = js_GetConsumerInfo(&raw, *js, session_->stream().c_str(),
                                                 options_.durable_name.c_str(), nullptr, &code);
    ConsumerInfoHandle info(raw);
    if (status != NATS_OK)
      return nats_failure(fmt::format("reading consumer {}", options_.durable_name), status, code);
    return ConsumerInfo{info->NumPending, static_cast<std::uint64_t>(info->NumAckPending),
                        static_cast<std::uint64_t>(info->NumRedelivered)};
  }

 private:
  core::Result<Subscription> take(jsCtx* js) {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto subscription = std::move(idle_.back());
        idle_.pop_back();
        return subscription;
      }
    }
    auto bound = subscribe(js);
    if (bound || bound.error().code != "not_found") return bound;
    // The consumer is gone (a server that lost its store): create it again.
    if (auto made = ensure_consumer(js, session_->stream(), options_); !made) return made.error();
    return subscribe(js);
  }

  core::Result<Subscription> subscribe(jsCtx* js) {
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = session_->stream().c_str();
    options.Consumer = options_.durable_name.c_str();
    natsSubscription* raw = nullptr;
    jsErrCode code{};
    const natsStatus status =
        js_PullSubscribe(&raw, js, options_.filter_subject.c_str(), options_.durable_name.c_str(),
                         nullptr, &options, &code);
    if (status == NATS_OK) return Subscription(raw, natsSubscription_Destroy);
    if (status == NATS_NOT_FOUND || code == JSConsumerNotFoundErr)
      return core::Error{"not_found", fmt::format("no consumer {}", options_.durable_name), false};
    return nats_failure(fmt::format("binding to consumer {}", options_.durable_name), status, code);
  }

  void give_back(Subscription subscription) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(subscription));
  }

  std::shared_ptr<NatsSession> session_;
  ConsumerOptions options_;
  std::mutex mutex_;
  std::vector<Subscription> idle_;
};

JetStreamConsumer::JetStreamConsumer(std::shared_ptr<NatsSession> session, ConsumerOptions options)
    : pull_(std::make_shared<Pull>(std::move(session), std::move(options))) {}

// The work lambdas are named: GCC 12 destroys a temporary with captures twice when it sits in
// a co_await expression (see README.md).

asio::awaitable<core::Result<Deliveries>> JetStreamConsumer::fetch(std::size_t max,
                                                                   std::chrono::milliseconds wait) {
  auto work = [pull = pull_, max, wait] { return pull->fetch(max, wait); };
  co_return co_await pull_->session().blocking().run(std::move(work));
}

asio::awaitable<core::Result<ConsumerInfo>> JetStreamConsumer::info() {
  auto work = [pull = pull_] { return pull->info(); };
  co_return co_await pull_->session().blocking().run(std::move(work));
}

}  // namespace sentinel::bus
