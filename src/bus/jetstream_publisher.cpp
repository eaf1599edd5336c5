#include "jetstream_publisher.hpp"

#include <fmt/format.h>

#include "backend.hpp"

namespace sentinel::bus {
namespace {

MessageHandle make_message(const OutgoingMessage& message) {
  natsMsg* raw = nullptr;
  natsStatus status = natsMsg_Create(&raw, message.subject.c_str(), nullptr, message.payload.data(),
                                     static_cast<int>(message.payload.size()));
  MessageHandle handle(raw);
  if (status == NATS_OK && !message.message_id.empty())
    status = natsMsgHeader_Set(raw, "Nats-Msg-Id", message.message_id.c_str());
  if (status != NATS_OK) return nullptr;
  return handle;
}

}  // namespace

void Publisher::publish(jsCtx* js, const OutgoingMessage& message, Handler<PublishResult> handler) {
  if (pending_.size() >= settings_.max_pending) {
    complete(std::move(handler),
             unavailable(fmt::format("{} publishes await their PubAck (bus.max_pending)",
                                     pending_.size())));
    return;
  }
  auto owned = make_message(message);
  if (!owned) {
    complete(std::move(handler),
             unavailable(fmt::format("cannot build the message: {}", nats_error(NATS_ERR))));
    return;
  }
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait =
      std::chrono::duration_cast<std::chrono::milliseconds>(settings_.timeout).count();
  options.ExpectStream = settings_.stream.c_str();
  natsMsg* key = owned.get();
  natsMsg* handed_over = owned.release();
  const natsStatus status = js_PublishMsgAsync(js, &handed_over, &options);
  if (status != NATS_OK) {
    MessageHandle still_ours(handed_over);  // nats.c did not take it
    complete(std::move(handler),
             unavailable(status == NATS_TIMEOUT
                             ? std::string("nats.c is stalled: too many publishes pending")
                             : fmt::format("publish failed: {}", nats_error(status))));
    return;
  }
  pending_.emplace(key, std::move(handler));
  update_count();
}

void Publisher::answer(natsMsg* message, PublishResult result) {
  MessageHandle owned(message);
  auto it = pending_.find(message);
  if (it == pending_.end()) return;  // abandoned at stop
  complete(std::move(it->second), std::move(result));
  pending_.erase(it);
  update_count();
}

void Publisher::abandon(const std::string& reason) {
  for (auto& [message, handler] : pending_)
    complete(std::move(handler), unavailable(reason));
  pending_.clear();
  update_count();
}

void Publisher::update_count() {
  {
    std::lock_guard lock(mutex_);
    count_ = pending_.size();
  }
  metrics_.pending().set(static_cast<double>(pending_.size()));
  if (pending_.empty()) drained_.notify_all();
}

bool Publisher::wait_drained(core::Deadline deadline) {
  std::unique_lock lock(mutex_);
  return drained_.wait_until(lock, deadline, [this] { return count_ == 0; });
}

}  // namespace sentinel::bus
