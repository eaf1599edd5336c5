#pragma once
// What one worker among all does for the shared database: partitions ahead, rollup refresh and
// retention, while it holds the store lease "worker-maintenance". Every duty is idempotent, so a
// brief overlap of two leaders (see store::Lease) is harmless.

#include <memory>

#include <boost/asio/awaitable.hpp>

#include "sentinel/core/log.hpp"
#include "sentinel/store/store.hpp"
#include "sentinel/worker/worker.hpp"

#include "worker_metrics.hpp"

namespace sentinel::worker {

class LeaderDuties {
 public:
  LeaderDuties(const Worker::Config& config, store::Store& store, WorkerMetrics& metrics,
               core::Logger log);

  // Until cancelled: every maintenance_interval, lead if no one does, then run the duties.
  boost::asio::awaitable<void> run();

 private:
  boost::asio::awaitable<void> lead();
  boost::asio::awaitable<void> duties();

  const Worker::Config& config_;
  store::Store& store_;
  WorkerMetrics& metrics_;
  core::Logger log_;
  std::unique_ptr<store::Lease> lease_;
};

}  // namespace sentinel::worker
