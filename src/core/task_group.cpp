#include "sentinel/core/task_group.hpp"

#include <cassert>

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

namespace sentinel::core {

namespace asio = boost::asio;

TaskGroup::~TaskGroup() {
  // Tasks hold `this` in their completion handlers; the owner must wait for them in stop().
  assert(tasks_.empty());
}

void TaskGroup::spawn(const Strand& strand, asio::awaitable<void> task, std::string name) {
  auto entry = std::make_shared<Task>(strand, std::move(name));
  std::list<std::shared_ptr<Task>>::iterator it;
  {
    std::lock_guard lock(mutex_);
    it = tasks_.insert(tasks_.end(), entry);
  }
  asio::co_spawn(
      strand, guard(entry, std::move(task)),
      asio::bind_cancellation_slot(entry->signal.slot(), [this, it](std::exception_ptr error) {
        if (error) {
          try {
            std::rethrow_exception(error);
          } catch (const boost::system::system_error& e) {
            if (e.code() != asio::error::operation_aborted) {
              log_.error("task {} failed: {}", (*it)->name, e.what());
            }
          } catch (const std::exception& e) {
            log_.error("task {} failed: {}", (*it)->name, e.what());
          }
        }
        std::lock_guard lock(mutex_);
        tasks_.erase(it);
        done_.notify_all();
      }));
}

asio::awaitable<void> TaskGroup::guard(std::shared_ptr<Task> task, asio::awaitable<void> body) {
  // Asio (1.81) throws out of the event loop when a cancellation reaches a spawned coroutine
  // before co_spawn has entered it or after it has left it, so the signal goes out only while
  // the body runs. A cancel() that came earlier is signalled once the body first waits: the body
  // still runs, so that a task which must answer its callers (the nonce writes) does.
  task->running = true;
  if (task->cancelled) asio::post(task->strand, [task] { signal_if_running(*task); });
  std::exception_ptr error;
  try {
    co_await std::move(body);
  } catch (...) {
    error = std::current_exception();
  }
  task->running = false;
  if (error) std::rethrow_exception(error);
}

void TaskGroup::signal_if_running(Task& task) {
  if (task.running) task.signal.emit(asio::cancellation_type::terminal);
}

void TaskGroup::cancel() {
  std::lock_guard lock(mutex_);
  for (const auto& task : tasks_) {
    asio::post(task->strand, [task] {
      task->cancelled = true;
      signal_if_running(*task);
    });
  }
}

bool TaskGroup::wait(Deadline deadline) {
  std::unique_lock lock(mutex_);
  return done_.wait_until(lock, deadline, [this] { return tasks_.empty(); });
}

std::size_t TaskGroup::size() const {
  std::lock_guard lock(mutex_);
  return tasks_.size();
}

}  // namespace sentinel::core
