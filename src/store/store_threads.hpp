#pragma once
// A pool of store threads that share one job queue; each thread owns one session (one
// connection) for its whole life, so a connection is never used by two threads at once.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sentinel/core/component.hpp"
#include "sentinel/core/log.hpp"
#include "sentinel/core/metrics.hpp"
#include "sentinel/store/store.hpp"

#include "session_base.hpp"

namespace sentinel::store {

using Job = StoreJob;

// What a pool reports, labelled with its name.
struct PoolMetrics {
  core::Gauge& queued;               // jobs waiting for a thread
  core::Histogram& job_seconds;      // time per job (a grouped job: its whole group's)
  core::Histogram& jobs_per_commit;  // group commit: jobs a transaction carried
};

class StoreThreads {
 public:
  // `pool` names the threads in logs and metrics ("postgres", "sqlite_writer"). With
  // `max_group` above 1, a thread runs up to that many queued groupable jobs in one transaction
  // (group commit) and delivers their outcomes once it has committed.
  StoreThreads(std::string pool, core::Logger log, PoolMetrics metrics,
               core::Duration idle_interval, std::size_t max_group = 1);
  ~StoreThreads();
  StoreThreads(const StoreThreads&) = delete;
  StoreThreads& operator=(const StoreThreads&) = delete;

  // One thread per session.
  void start(std::vector<std::unique_ptr<SessionBase>> sessions);
  // Queues `job`; once stopped, runs it at once on a ClosedSession, so it fails and its caller
  // still gets an answer.
  void submit(Job job);
  // Takes no more jobs and lets the threads finish the queue until `deadline`; then fails what
  // is still queued, interrupts what runs, and joins. False when the deadline cut work short.
  bool stop(core::Deadline deadline);

 private:
  void loop(SessionBase& session);
  // The next job, and the groupable ones queued behind it when it is groupable. Under the lock.
  std::vector<Job> take();
  void run_job(SessionBase& session, Job& job);
  void run_group(SessionBase& session, std::vector<Job>& jobs);

  std::string pool_;
  core::Logger log_;
  PoolMetrics metrics_;
  core::Duration idle_interval_;
  std::size_t max_group_;

  std::mutex mutex_;
  std::condition_variable wake_;     // a job arrived, or the pool is stopping
  std::condition_variable drained_;  // the queue is empty and no job runs
  std::deque<Job> queue_;
  std::size_t running_ = 0;
  bool stopping_ = false;

  std::vector<std::unique_ptr<SessionBase>> sessions_;
  std::vector<std::thread> threads_;
  ClosedSession closed_;
};

}  // namespace sentinel::store
