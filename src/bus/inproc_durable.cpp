// The consumer side of the in-process queue: durable consumers, fetches and settlement.

#include <algorithm>

#include <fmt/format.h>

#include "backend.hpp"
#include "inproc_queue.hpp"

namespace sentinel::bus {

namespace asio = boost::asio;

namespace {

core::Error stopping() {
  return core::Error{"unavailable", "the bus is stopping", true};
}

}  // namespace

InprocQueue::Durable* InprocQueue::find(const std::string& name) {
  auto it = durables_.find(name);
  return it == durables_.end() ? nullptr : &it->second;
}

core::Status InprocQueue::add_consumer(const ConsumerOptions& options) {
  if (!valid_name(options.durable_name)) {
    return core::Error{
        "invalid_argument",
        fmt::format("\"{}\" is not a durable name: no . * > or spaces", options.durable_name)};
  }
  std::lock_guard lock(mutex_);
  if (closed_) return stopping();
  auto [it, created] = durables_.try_emplace(options.durable_name);
  auto& durable = it->second;
  if (!created && durable.options.filter_subject != options.filter_subject) {
    return core::Error{
        "conflict", fmt::format("consumer {} exists with filter {}, not {}", options.durable_name,
                                durable.options.filter_subject, options.filter_subject)};
  }
  if (!created && durable.options.confirms_publish != options.confirms_publish) {
    return core::Error{
        "conflict",
        fmt::format("consumer {} exists and {} publishes", options.durable_name,
                    durable.options.confirms_publish ? "confirms" : "does not confirm")};
  }
  durable.options = options;
  if (created) {
    // Like a JetStream consumer that delivers all: what is stored and unsettled reaches it too.
    for (auto& [sequence, stored] : messages_) {
      if (!subject_matches(options.filter_subject, stored.message->subject)) continue;
      durable.ready.push_back(sequence);
      ++stored.unsettled;
      if (stored.awaits(options)) ++stored.unconfirmed;
    }
  }
  serve(durable);
  return core::ok_status();
}

void InprocQueue::fetch(const std::string& name, std::size_t max, core::Duration wait,
                        Handler<FetchResult> handler) {
  std::lock_guard lock(mutex_);
  if (closed_) {
    complete(std::move(handler), FetchResult(stopping()));
    return;
  }
  auto* durable = find(name);
  if (durable == nullptr) {
    complete(std::move(handler),
             FetchResult(core::Error{"not_found", fmt::format("no consumer {}", name)}));
    return;
  }
  auto records = take(*durable, max);
  if (!records.empty() || wait <= core::Duration::zero()) {
    complete(std::move(handler), FetchResult(std::move(records)));
    return;
  }
  auto waiter = std::make_shared<FetchWaiter>(
      FetchWaiter{max, std::move(handler), asio::steady_timer(io_, wait)});
  durable->fetchers.push_back(waiter);
  waiter->timer.async_wait(
      [weak = weak_from_this(), durable, waiter](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        std::lock_guard lock(self->mutex_);
        auto it = std::find(durable->fetchers.begin(), durable->fetchers.end(), waiter);
        if (it == durable->fetchers.end()) return;  // served meanwhile
        durable->fetchers.erase(it);
        complete(std::move(waiter->handler), FetchResult(std::vector<DeliveryRecord>{}));
      });
}

void InprocQueue::settle(const std::string& name, const DeliveryRecord& record, Settle how,
                         core::Duration delay) {
  std::lock_guard lock(mutex_);
  auto* durable = find(name);
  if (closed_ || durable == nullptr) return;
  auto it = durable->outstanding.find(record.sequence);
  if (it == durable->outstanding.end()) return;  // settled through an earlier delivery
  if (how != Settle::kNak) {
    // An ack from an older delivery still counts, as in JetStream.
    settle_for(*durable, record.sequence);
  } else if (it->second.deliveries == record.delivery && !it->second.queued) {
    if (delay > core::Duration::zero()) {
      arm(*durable, record.sequence, delay);
    } else {
      make_ready(*durable, record.sequence);
    }
  }
}

core::Result<ConsumerInfo> InprocQueue::info(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = durables_.find(name);
  if (it == durables_.end()) return core::Error{"not_found", fmt::format("no consumer {}", name)};
  const auto& durable = it->second;
  ConsumerInfo info;
  info.ack_pending = durable.outstanding.size();
  std::size_t queued_again = 0;
  for (const auto& [sequence, outstanding] : durable.outstanding) {
    if (outstanding.queued) ++queued_again;
    if (outstanding.queued || outstanding.deliveries > 1) ++info.redelivered;
  }
  info.pending = durable.ready.size() - queued_again;  // never delivered yet
  return info;
}

void InprocQueue::close() {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  closed_ = true;
  for (auto& [sequence, stored] : messages_) {
    for (auto& waiter : stored.waiters) {
      waiter->timer.cancel();
      if (waiter->handler) complete(std::move(waiter->handler), unavailable("the bus is stopping"));
    }
    stored.waiters.clear();
  }
  for (auto& [name, durable] : durables_) {
    for (auto& waiter : durable.fetchers) {
      waiter->timer.cancel();
      complete(std::move(waiter->handler), FetchResult(stopping()));
    }
    durable.fetchers.clear();
    durable.outstanding.clear();  // cancels the ack-wait and nak timers
  }
}

bool InprocQueue::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

}  // namespace sentinel::bus
