#pragma once
// Owns the coroutines a component spawns, so none is detached and forgotten: stop() cancels them
// and waits, with a deadline, until every one has finished.

#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "sentinel/core/component.hpp"
#include "sentinel/core/log.hpp"

namespace sentinel::core {

class TaskGroup {
 public:
  // Every task runs on a strand: cancel() signals it there, and a cancellation signal must not be
  // emitted while the task runs on another thread.
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  explicit TaskGroup(Logger log) : log_(std::move(log)) {}
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Runs `task` on `strand` (its component's, or one of its own). An exception escaping it is
  // logged with `name`; cancel() reaches it through its cancellation slot.
  void spawn(const Strand& strand, boost::asio::awaitable<void> task, std::string name);
  // Asks every task to finish: the operation each one awaits completes with operation_aborted.
  void cancel();
  // Blocks until every task has finished or `deadline` passes; true when all finished. Call it
  // from outside the event loop (a component's stop()).
  bool wait(Deadline deadline);
  std::size_t size() const;

 private:
  struct Task {
    Task(Strand s, std::string n) : strand(std::move(s)), name(std::move(n)) {}
    Strand strand;
    boost::asio::cancellation_signal signal;
    std::string name;
    // Touched on the strand only.
    bool running = false;    // the body has begun and not yet ended
    bool cancelled = false;  // cancel() has reached the strand
  };

  // Runs `body`, marking the task running meanwhile.
  static boost::asio::awaitable<void> guard(std::shared_ptr<Task> task,
                                            boost::asio::awaitable<void> body);
  static void signal_if_running(Task& task);

  Logger log_;
  mutable std::mutex mutex_;
  std::condition_variable done_;
  std::list<std::shared_ptr<Task>> tasks_;
};

}  // namespace sentinel::core
