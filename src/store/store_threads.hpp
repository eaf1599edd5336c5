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

class StoreThreads {
 public:
  // `pool` names the threads in logs and metrics ("postgres", "sqlite_writer").
  StoreThreads(std::string pool, core::Logger log, core::Gauge& queued,
               core::Histogram& job_seconds, core::Duration idle_interval);
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
  void run_job(SessionBase& session, Job& job);

  std::string pool_;
  core::Logger log_;
  core::Gauge& queued_;
  core::Histogram& job_seconds_;
  core::Duration idle_interval_;

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
