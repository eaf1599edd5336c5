#include "leader_duties.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/core/unix_time.hpp"
#include "sentinel/store/session.hpp"

namespace sentinel::worker {
namespace {

constexpr std::string_view kLease = "worker-maintenance";
constexpr std::int64_t kRollupChunk = 10'000;  // (agent, bucket) pairs per refresh transaction
constexpr int kRollupRounds = 20;              // the rest waits for the next interval

}  // namespace

LeaderDuties::LeaderDuties(const Worker::Config& config, store::Store& store,
                           WorkerMetrics& metrics, core::Logger log)
    : config_(config), store_(store), metrics_(metrics), log_(std::move(log)) {}

boost::asio::awaitable<void> LeaderDuties::run() {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  while (true) {
    co_await lead();
    if (lease_) co_await duties();
    timer.expires_after(config_.maintenance_interval);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
}

boost::asio::awaitable<void> LeaderDuties::lead() {
  if (lease_ && lease_->held()) co_return;
  if (lease_) log_.warn("lost the {} lease; asking again", kLease);
  lease_.reset();
  metrics_.leader.set(0);
  std::string name(kLease);
  auto lease = co_await store_.try_lead(std::move(name));
  if (!lease) {
    log_.warn("cannot ask for the {} lease: {}", kLease, lease.error().message);
    co_return;
  }
  if (!*lease) co_return;
  lease_ = std::move(*lease);
  metrics_.leader.set(1);
  log_.info("leading {}: partitions, rollups, retention", kLease);
}

boost::asio::awaitable<void> LeaderDuties::duties() {
  const auto now = core::unix_ms();
  auto done = co_await store_.run([&](store::Session& session) {
    auto& samples = session.samples();
    samples.ensure_partitions(now, config_.partitions_ahead);
    for (int round = 0; round < kRollupRounds; ++round) {
      store::RollupReport report;
      session.transaction([&] { report = samples.refresh_rollups(kRollupChunk, now); });
      if (report.queued < kRollupChunk) break;
    }
    return samples.apply_retention(config_.retention, now);
  });
  if (!done) {
    metrics_.duty_failures.inc();
    log_.warn("leader duties failed: {}", done.error().message);
  } else if (done->partitions_dropped > 0 || done->rows_deleted > 0) {
    log_.info("retention dropped {} partitions and {} rows", done->partitions_dropped,
              done->rows_deleted);
  }
}

}  // namespace sentinel::worker
