#pragma once
// Suspending a coroutine until another thread (nats.c's, or whoever acks a delivery) has the
// answer, and resuming it on its own executor with that answer.

#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sentinel::bus {

// A type-erased completion handler with the executor it must run on. The executor is taken
// before erasure: Boost 1.81's any_completion_executor cannot be posted to.
template <class Value>
class Handler {
 public:
  Handler() = default;
  template <class Concrete>
  explicit Handler(Concrete handler)
      : executor_(boost::asio::get_associated_executor(handler)), call_(std::move(handler)) {}

  explicit operator bool() const { return static_cast<bool>(call_); }

  // Hands `value` to the handler on its executor, never inline: the caller may hold a lock or
  // run on a foreign thread. Leaves this handler empty.
  void complete(Value value) {
    boost::asio::post(executor_, [call = std::move(call_), value = std::move(value)]() mutable {
      std::move(call)(std::move(value));
    });
  }

 private:
  boost::asio::any_io_executor executor_;
  boost::asio::any_completion_handler<void(Value)> call_;
};

template <class Value>
void complete(Handler<Value> handler, Value value) {
  handler.complete(std::move(value));
}

// Suspends the calling coroutine and calls `start(Handler<Value>)`; whoever ends up holding the
// handler resumes the coroutine with complete().
template <class Value, class Start>
boost::asio::awaitable<Value> suspend(Start start) {
  co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(Value)>(
      [&start](auto handler) { start(Handler<Value>(std::move(handler))); },
      boost::asio::use_awaitable);
}

}  // namespace sentinel::bus
