#pragma once
// Owns the coroutines a component spawns, so none is detached and forgotten: stop() cancels them
// and waits, with a deadline, until every one has finished.

#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include "sentinel/core/component.hpp"
#include "sentinel/core/log.hpp"

namespace sentinel::core {

class TaskGroup {
 public:
  explicit TaskGroup(Logger log) : log_(std::move(log)) {}
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Runs `task` on `executor` (a strand for stateful work). An exception escaping it is logged
  // with `name`; cancel() reaches it through its cancellation slot.
  void spawn(const boost::asio::any_io_executor& executor, boost::asio::awaitable<void> task,
             std::string name);
  // Asks every task to finish: the operation each one awaits completes with operation_aborted.
  void cancel();
  // Blocks until every task has finished or `deadline` passes; true when all finished. Call it
  // from outside the event loop (a component's stop()).
  bool wait(Deadline deadline);
  std::size_t size() const;

 private:
  struct Task {
    Task(boost::asio::any_io_executor e, std::string n)
        : executor(std::move(e)), name(std::move(n)) {}
    boost::asio::any_io_executor executor;
    boost::asio::cancellation_signal signal;
    std::string name;
  };

  Logger log_;
  mutable std::mutex mutex_;
  std::condition_variable done_;
  std::list<std::shared_ptr<Task>> tasks_;
};

}  // namespace sentinel::core
