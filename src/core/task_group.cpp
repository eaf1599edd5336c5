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

void TaskGroup::spawn(const asio::any_io_executor& executor, asio::awaitable<void> task,
                      std::string name) {
  auto entry = std::make_shared<Task>(executor, std::move(name));
  std::list<std::shared_ptr<Task>>::iterator it;
  {
    std::lock_guard lock(mutex_);
    it = tasks_.insert(tasks_.end(), entry);
  }
  asio::co_spawn(
      executor, std::move(task),
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

void TaskGroup::cancel() {
  std::lock_guard lock(mutex_);
  for (const auto& task : tasks_) {
    // A cancellation signal is not thread-safe: emit it on the executor the task runs on.
    asio::post(task->executor, [task] { task->signal.emit(asio::cancellation_type::terminal); });
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
