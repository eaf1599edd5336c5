#include "inproc_queue.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "backend.hpp"

namespace sentinel::bus {

namespace asio = boost::asio;
using core::Clock;

bool subject_matches(std::string_view filter, std::string_view subject) {
  for (;;) {
    const auto filter_end = filter.find('.');
    const auto subject_end = subject.find('.');
    const auto token = filter.substr(0, filter_end);
    const auto part = subject.substr(0, subject_end);
    if (token == ">") return !part.empty();
    if (part.empty() || (token != "*" && token != part)) return false;
    if (filter_end == std::string_view::npos || subject_end == std::string_view::npos)
      return filter_end == subject_end;
    filter.remove_prefix(filter_end + 1);
    subject.remove_prefix(subject_end + 1);
  }
}

InprocQueue::InprocQueue(InprocSettings settings, asio::io_context& io, BusMetrics metrics)
    : settings_(settings), io_(io), metrics_(metrics) {}

InprocQueue::~InprocQueue() {
  close();
}

void InprocQueue::publish(OutgoingMessage message, Handler<PublishResult> handler) {
  std::lock_guard lock(mutex_);
  if (closed_) {
    complete(std::move(handler), unavailable("the bus is stopping"));
    return;
  }
  forget_expired_ids(Clock::now());
  if (auto id = ids_.find(message.message_id); id != ids_.end()) {
    auto stored = messages_.find(id->second.sequence);
    if (stored == messages_.end() || stored->second.unconfirmed == 0) {
      complete(std::move(handler), PublishResult{PublishStatus::kDuplicate});
    } else {
      // The first copy is not confirmed yet. "Duplicate" promises the batch is safe, so the
      // repeat waits for the first copy's outcome rather than answering at once.
      wait_for_settlement(stored->second, id->second.sequence, PublishStatus::kDuplicate,
                          std::move(handler));
    }
    return;
  }
  std::vector<Durable*> consumers;
  for (auto& [name, durable] : durables_) {
    if (subject_matches(durable.options.filter_subject, message.subject))
      consumers.push_back(&durable);
  }
  if (consumers.empty()) {
    complete(std::move(handler), unavailable("no consumer"));
  } else if (messages_.size() >= settings_.capacity) {
    complete(std::move(handler), unavailable("the in-process queue is full"));
  } else {
    store(std::move(message), std::move(consumers), std::move(handler));
  }
}

void InprocQueue::store(OutgoingMessage message, std::vector<Durable*> consumers,
                        Handler<PublishResult> handler) {
  const auto sequence = ++last_sequence_;
  auto& stored = messages_[sequence];
  stored.message = std::make_shared<const OutgoingMessage>(std::move(message));
  stored.unsettled = consumers.size();
  const auto confirming = static_cast<std::size_t>(
      std::count_if(consumers.begin(), consumers.end(),
                    [](const Durable* d) { return d->options.confirms_publish; }));
  stored.awaits_every_consumer = confirming == 0;
  stored.unconfirmed = stored.awaits_every_consumer ? consumers.size() : confirming;
  if (const auto& id = stored.message->message_id; !id.empty()) {
    ids_[id] = {sequence, Clock::now() + settings_.duplicate_window};
    ids_by_age_.emplace_back(id, sequence);
  }
  metrics_.pending().set(static_cast<double>(messages_.size()));
  wait_for_settlement(stored, sequence, PublishStatus::kAccepted, std::move(handler));
  for (auto* durable : consumers) {
    durable->ready.push_back(sequence);
    serve(*durable);
  }
}

void InprocQueue::forget_expired_ids(Clock::time_point now) {
  while (!ids_by_age_.empty()) {
    const auto& [id, sequence] = ids_by_age_.front();
    auto it = ids_.find(id);
    if (it != ids_.end() && it->second.sequence == sequence) {
      if (it->second.expires > now) return;
      ids_.erase(it);
    }
    ids_by_age_.pop_front();
  }
}

void InprocQueue::wait_for_settlement(Stored& stored, std::uint64_t sequence,
                                      PublishStatus on_success, Handler<PublishResult> handler) {
  auto waiter = std::make_shared<PublishWaiter>(PublishWaiter{
      on_success, std::move(handler), asio::steady_timer(io_, settings_.publish_timeout)});
  waiter->timer.async_wait(
      [weak = weak_from_this(), sequence, waiter](boost::system::error_code ec) {
        if (ec) return;  // answered before the timeout
        if (auto self = weak.lock()) self->answer_publish_timeout(sequence, waiter);
      });
  stored.waiters.push_back(std::move(waiter));
}

void InprocQueue::answer_publish_timeout(std::uint64_t sequence,
                                         const std::shared_ptr<PublishWaiter>& waiter) {
  std::lock_guard lock(mutex_);
  if (!waiter->handler) return;
  // The message stays queued: a retry with the same id waits for this copy.
  complete(std::move(waiter->handler),
           unavailable(fmt::format("no ack from the consumers within {}",
                                   core::format_duration(settings_.publish_timeout))));
  if (auto stored = messages_.find(sequence); stored != messages_.end())
    std::erase(stored->second.waiters, waiter);
}

std::vector<DeliveryRecord> InprocQueue::take(Durable& durable, std::size_t max) {
  std::vector<DeliveryRecord> records;
  while (records.size() < max && !durable.ready.empty()) {
    const auto sequence = durable.ready.front();
    auto [it, fresh] = durable.outstanding.try_emplace(sequence);
    if (fresh && durable.outstanding.size() >
                     static_cast<std::size_t>(std::max(durable.options.max_ack_pending, 1))) {
      durable.outstanding.erase(it);  // JetStream, too, holds new messages back here
      break;
    }
    durable.ready.pop_front();
    it->second.queued = false;
    ++it->second.deliveries;
    arm(durable, sequence, durable.options.ack_wait);
    records.push_back({messages_.at(sequence).message, sequence, it->second.deliveries});
  }
  return records;
}

void InprocQueue::serve(Durable& durable) {
  while (!durable.fetchers.empty() && !durable.ready.empty()) {
    auto records = take(durable, durable.fetchers.front()->max);
    if (records.empty()) return;
    auto waiter = std::move(durable.fetchers.front());
    durable.fetchers.pop_front();
    waiter->timer.cancel();
    complete(std::move(waiter->handler), FetchResult(std::move(records)));
  }
}

void InprocQueue::arm(Durable& durable, std::uint64_t sequence, core::Duration after) {
  auto& outstanding = durable.outstanding.at(sequence);
  if (!outstanding.timer) outstanding.timer = std::make_unique<asio::steady_timer>(io_);
  outstanding.timer->expires_after(after);
  // A handler that had already fired when the timer was re-armed still runs: the generation
  // tells it that it is stale.
  const auto generation = ++outstanding.generation;
  outstanding.timer->async_wait([weak = weak_from_this(), durable = &durable, sequence,
                                 generation](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    std::lock_guard lock(self->mutex_);
    auto it = durable->outstanding.find(sequence);
    if (self->closed_ || it == durable->outstanding.end() || it->second.generation != generation)
      return;
    self->make_ready(*durable, sequence);
  });
}

void InprocQueue::make_ready(Durable& durable, std::uint64_t sequence) {
  auto& outstanding = durable.outstanding.at(sequence);
  if (outstanding.queued) return;
  ++outstanding.generation;
  const int max_deliver = durable.options.max_deliver;
  if (max_deliver > 0 && outstanding.deliveries >= static_cast<std::uint64_t>(max_deliver)) {
    metrics_.dropped().inc();
    settle_for(durable, sequence);
    return;
  }
  outstanding.queued = true;
  durable.ready.push_front(sequence);  // redeliveries go before new messages
  serve(durable);
}

void InprocQueue::confirm(Stored& stored) {
  for (auto& waiter : stored.waiters) {
    waiter->timer.cancel();
    if (waiter->handler) complete(std::move(waiter->handler), PublishResult{waiter->on_success});
  }
  stored.waiters.clear();
}

void InprocQueue::settle_for(Durable& durable, std::uint64_t sequence) {
  if (auto it = durable.outstanding.find(sequence); it != durable.outstanding.end()) {
    if (it->second.queued) std::erase(durable.ready, sequence);
    durable.outstanding.erase(it);
  }
  auto stored = messages_.find(sequence);
  if (stored->second.awaits(durable.options) && --stored->second.unconfirmed == 0)
    confirm(stored->second);
  if (--stored->second.unsettled == 0) {
    messages_.erase(stored);
    metrics_.pending().set(static_cast<double>(messages_.size()));
  }
  serve(durable);  // a freed ack-pending slot may let a waiting fetcher have a message
}

}  // namespace sentinel::bus
