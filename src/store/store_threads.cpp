#include "store_threads.hpp"

namespace sentinel::store {
namespace {

constexpr auto kInterruptRepeat = std::chrono::milliseconds(100);

}  // namespace

StoreThreads::StoreThreads(std::string pool, core::Logger log, core::Gauge& queued,
                           core::Histogram& job_seconds, core::Duration idle_interval)
    : pool_(std::move(pool)),
      log_(std::move(log)),
      queued_(queued),
      job_seconds_(job_seconds),
      idle_interval_(idle_interval) {}

StoreThreads::~StoreThreads() {
  stop(core::Clock::now());
}

void StoreThreads::start(std::vector<std::unique_ptr<SessionBase>> sessions) {
  sessions_ = std::move(sessions);
  for (auto& session : sessions_) {
    threads_.emplace_back([this, &session = *session] { loop(session); });
  }
}

void StoreThreads::submit(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(std::move(job));
      queued_.set(static_cast<double>(queue_.size()));
      wake_.notify_one();
      return;
    }
  }
  job(closed_);
}

bool StoreThreads::stop(core::Deadline deadline) {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  wake_.notify_all();
  const bool drained = threads_.empty() || drained_.wait_until(lock, deadline, [this] {
    return queue_.empty() && running_ == 0;
  });
  auto left = std::move(queue_);
  queue_.clear();
  queued_.set(0);
  if (!drained) {
    log_.warn("{}: stopping with {} jobs queued and {} running; failing and interrupting them",
              pool_, left.size(), running_);
  }
  // A cancel that reaches the server before its statement does is lost: repeat until the
  // running jobs have ended.
  while (running_ > 0) {
    lock.unlock();
    for (auto& session : sessions_)
      session->interrupt();
    lock.lock();
    drained_.wait_for(lock, kInterruptRepeat, [this] { return running_ == 0; });
  }
  lock.unlock();
  for (auto& job : left)
    job(closed_);
  for (auto& thread : threads_)
    thread.join();
  threads_.clear();
  sessions_.clear();
  return drained;
}

void StoreThreads::loop(SessionBase& session) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) return;
      const bool woken =
          wake_.wait_for(lock, idle_interval_, [this] { return !queue_.empty() || stopping_; });
      if (!woken) {
        lock.unlock();
        session.idle();
        lock.lock();
      }
      continue;
    }
    Job job = std::move(queue_.front());
    queue_.pop_front();
    queued_.set(static_cast<double>(queue_.size()));
    ++running_;
    lock.unlock();
    run_job(session, job);
    lock.lock();
    --running_;
    if (queue_.empty() && running_ == 0) drained_.notify_all();
  }
}

void StoreThreads::run_job(SessionBase& session, Job& job) {
  const auto started = core::Clock::now();
  session.prepare();
  job(session);
  job = {};  // release what the job captured before taking the lock again
  job_seconds_.observe(std::chrono::duration<double>(core::Clock::now() - started).count());
}

}  // namespace sentinel::store
