#include "nonce_ledger.hpp"

#include <algorithm>
#include <memory>
#include <utility>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/store/session.hpp"

namespace sentinel::gateway {

namespace asio = boost::asio;

asio::awaitable<NonceLedger::Outcome> NonceLedger::remember(std::vector<store::NonceUse> uses,
                                                            std::int64_t now) {
  auto initiate = [this, &uses, now](auto handler) {
    // Resumed on its own executor, not inline on the writer's.
    const auto executor = asio::get_associated_executor(handler);
    auto waiting = std::make_shared<decltype(handler)>(std::move(handler));
    enqueue({std::move(uses), now, [executor, waiting](Outcome outcome) {
               asio::post(executor, asio::append(std::move(*waiting), std::move(outcome)));
             }});
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Outcome)>(
      initiate, asio::use_awaitable);
}

void NonceLedger::enqueue(Request request) {
  {
    std::lock_guard lock(mutex_);
    queued_.push_back(std::move(request));
    if (std::exchange(writing_, true)) return;  // the write under way takes it next
  }
  tasks_.spawn(strand_, write_queued(), "gateway nonce write");
}

asio::awaitable<void> NonceLedger::write_queued() {
  // Stopping the gateway cancels its tasks; a write still answers every push that waits on it.
  co_await asio::this_coro::throw_if_cancelled(false);
  for (;;) {
    std::vector<Request> requests;
    {
      std::lock_guard lock(mutex_);
      if (queued_.empty()) {
        writing_ = false;
        co_return;
      }
      requests.swap(queued_);
    }
    // Judged at the earliest request's clock: a stored nonce counts as expired no sooner than
    // that request alone would have found it.
    std::vector<store::NonceUse> uses;
    std::int64_t now = requests.front().now;
    for (const auto& request : requests) {
      uses.insert(uses.end(), request.uses.begin(), request.uses.end());
      now = std::min(now, request.now);
    }
    auto outcome = co_await store_.run(
        [&](store::Session& session) { return session.credentials().remember_nonces(uses, now); });
    answer(requests, outcome);
  }
}

void NonceLedger::answer(std::vector<Request>& requests, const Outcome& outcome) {
  std::ptrdiff_t first = 0;
  for (auto& request : requests) {
    const auto count = static_cast<std::ptrdiff_t>(request.uses.size());
    if (outcome)
      request.resume(std::vector<bool>(outcome->begin() + first, outcome->begin() + first + count));
    else
      request.resume(outcome.error());
    first += count;
  }
}

}  // namespace sentinel::gateway
