#pragma once
// A few threads for nats.c calls that block (fetches, JetStream management requests), so that
// they never run on the event loop. The awaiting coroutine resumes on its own executor.

#include <type_traits>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "completion.hpp"

namespace sentinel::bus {

class BlockingPool {
 public:
  explicit BlockingPool(int threads) : pool_(static_cast<std::size_t>(threads)) {}

  // Runs `work()` on a pool thread; `work` must not throw.
  template <class Work>
  boost::asio::awaitable<std::invoke_result_t<Work>> run(Work work) {
    using Value = std::invoke_result_t<Work>;
    co_return co_await suspend<Value>([&](Handler<Value> handler) {
      boost::asio::post(pool_, [work = std::move(work), handler = std::move(handler)]() mutable {
        handler.complete(work());
      });
    });
  }

  // Waits for the work in progress; call once nothing more is submitted.
  void join() { pool_.join(); }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace sentinel::bus
