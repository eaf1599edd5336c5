#include "store_threads.hpp"

namespace sentinel::store {
namespace {

constexpr auto kInterruptRepeat = std::chrono::milliseconds(100);

}  // namespace

StoreThreads::StoreThreads(std::string pool, core::Logger log, PoolMetrics metrics,
                           core::Duration idle_interval, std::size_t max_group)
    : pool_(std::move(pool)),
      log_(std::move(log)),
      metrics_(metrics),
      idle_interval_(idle_interval),
      max_group_(max_group) {}

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
      metrics_.queued.set(static_cast<double>(queue_.size()));
      wake_.notify_one();
      return;
    }
  }
  job.run(closed_);
  job.deliver();
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
  metrics_.queued.set(0);
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
  for (auto& job : left) {
    job.run(closed_);
    job.deliver();
  }
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
    auto jobs = take();
    ++running_;
    lock.unlock();
    if (jobs.size() == 1)
      run_job(session, jobs.front());
    else
      run_group(session, jobs);
    jobs.clear();  // release what the jobs captured before taking the lock again
    lock.lock();
    --running_;
    if (queue_.empty() && running_ == 0) drained_.notify_all();
  }
}

std::vector<Job> StoreThreads::take() {
  std::vector<Job> jobs;
  jobs.push_back(std::move(queue_.front()));
  queue_.pop_front();
  while (jobs.size() < max_group_ && !queue_.empty() && jobs.front().groupable() &&
         queue_.front().groupable()) {
    jobs.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  metrics_.queued.set(static_cast<double>(queue_.size()));
  return jobs;
}

void StoreThreads::run_job(SessionBase& session, Job& job) {
  const auto started = core::Clock::now();
  session.prepare();
  job.run(session);
  job.deliver();
  metrics_.job_seconds.observe(std::chrono::duration<double>(core::Clock::now() - started).count());
}

void StoreThreads::run_group(SessionBase& session, std::vector<Job>& jobs) {
  const auto started = core::Clock::now();
  session.prepare();
  try {
    session.transaction([&] {
      for (auto& job : jobs) {
        job.run(session, true);
        // SQLite rolls a whole transaction back by itself after some errors (a full disk);
        // what ran next would commit on its own, outside the group.
        if (!session.in_transaction())
          throw StoreError("rolled_back", "the database rolled the transaction back", true);
      }
    });
  } catch (const StoreError& e) {
    // Nothing of the group is committed: jobs that had succeeded fail too.
    for (auto& job : jobs)
      job.fail({e.code(), e.what(), e.transient()});
  }
  for (auto& job : jobs)
    job.deliver();
  const auto seconds = std::chrono::duration<double>(core::Clock::now() - started).count();
  for (std::size_t i = 0; i < jobs.size(); ++i)
    metrics_.job_seconds.observe(seconds);  // each job waited for the whole group's commit
  metrics_.jobs_per_commit.observe(static_cast<double>(jobs.size()));
}

}  // namespace sentinel::store
