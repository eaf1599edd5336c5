#include "sentinel/worker/worker.hpp"

#include <atomic>
#include <list>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/bus/bus_component.hpp"
#include "sentinel/core/task_group.hpp"
#include "sentinel/store/component.hpp"

#include "ingest_loop.hpp"
#include "leader_duties.hpp"
#include "worker_metrics.hpp"

namespace sentinel::worker {

using namespace std::chrono_literals;

class WorkerImpl {
 public:
  WorkerImpl(const Worker::Config& config, core::ComponentContext& context)
      : config_(config),
        store_(context.get<store::StoreComponent>().store()),
        bus_(context.get<bus::BusComponent>().bus()),
        io_(context.io()),
        log_(context.logger("worker")),
        metrics_(context.metrics()),
        duties_(config_, store_, metrics_, log_),
        ingest_(log_),
        background_(log_) {}

  void start() {
    background_.spawn(boost::asio::make_strand(io_), bind_consumer(), "worker consumer binding");
    background_.spawn(boost::asio::make_strand(io_), duties_.run(), "worker leader duties");
  }

  void stop(core::Deadline deadline) {
    stopping_ = true;
    log_.debug("stopping: the consumer binding and the leader duties first, then the fetch loops");
    background_.cancel();
    // The consumer's binding starts the fetch loops: once it has ended, none can start.
    const bool background_ended = background_.wait(deadline);
    // Fetch loops end after their current fetch (at most fetch_wait) and group; only what is
    // left at the deadline is abandoned, unacked, for redelivery.
    if (!ingest_.wait(deadline)) {
      log_.warn("{} fetch loops still busy at the deadline; their messages will be redelivered",
                ingest_.size());
      ingest_.cancel();
      ingest_.wait(deadline + 1s);
    }
    if (!background_ended) background_.wait(deadline + 1s);
  }

  core::Readiness readiness() const {
    if (!bound_.load()) return {false, "consumer " + config_.durable + " not bound yet"};
    return {};
  }

 private:
  boost::asio::awaitable<void> bind_consumer() {
    bus::ConsumerOptions options;
    options.durable_name = config_.durable;
    options.filter_subject = config_.subject;
    options.ack_wait = config_.ack_wait;
    options.max_deliver = config_.max_deliver;
    options.max_ack_pending = static_cast<int>(config_.max_ack_pending);
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    while (!consumer_) {
      auto consumer = co_await bus_.consumer(options);
      // Bound after stop() has begun: start no fetch loop.
      if (stopping_) co_return;
      if (consumer) {
        consumer_ = std::move(*consumer);
        break;
      }
      log_.warn("cannot bind consumer {}: {}", config_.durable, consumer.error().message);
      timer.expires_after(config_.nak_delay);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    bound_ = true;
    log_.info("consuming as {} with {} fetches of {} in flight", config_.durable,
              config_.fetches_in_flight, config_.fetch_batch);
    for (int i = 0; i < config_.fetches_in_flight; ++i) {
      auto& loop = loops_.emplace_back(
          IngestContext{config_, store_, cache_, metrics_, log_, stopping_}, *consumer_);
      ingest_.spawn(boost::asio::make_strand(io_), loop.run(), "worker fetch loop");
    }
    co_await poll_info(timer);
  }

  // Consumer lag for the metrics.
  boost::asio::awaitable<void> poll_info(boost::asio::steady_timer& timer) {
    while (true) {
      if (auto info = co_await consumer_->info()) {
        metrics_.pending.set(static_cast<double>(info->pending));
        metrics_.ack_pending.set(static_cast<double>(info->ack_pending));
      }
      timer.expires_after(config_.info_interval);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
  }

  const Worker::Config config_;
  store::Store& store_;
  bus::Bus& bus_;
  boost::asio::io_context& io_;
  core::Logger log_;
  WorkerMetrics metrics_;
  store::IngestCache cache_;
  LeaderDuties duties_;
  std::unique_ptr<bus::Consumer> consumer_;
  std::list<IngestLoop> loops_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> bound_{false};
  core::TaskGroup ingest_;
  core::TaskGroup background_;
};

Worker::Config Worker::Config::parse(core::ConfigSection& section) {
  Config config;
  section.read("durable", config.durable);
  if (config.durable.empty()) section.fail("durable", "a consumer name like sentinel-ingest");
  section.read("subject", config.subject);
  if (config.subject.empty()) section.fail("subject", "a subject filter like sentinel.metrics.>");
  section.read("ack_wait", config.ack_wait, core::Range<core::Duration>{1s, 1h});
  section.read("max_deliver", config.max_deliver, core::Range<int>{1, 1000});
  section.read("max_ack_pending", config.max_ack_pending, core::Range<std::size_t>{1, 1'000'000});
  section.read("fetch_batch", config.fetch_batch, core::Range<std::size_t>{1, 10'000});
  section.read("fetches_in_flight", config.fetches_in_flight, core::Range<int>{1, 64});
  section.read("fetch_wait", config.fetch_wait, core::Range<core::Duration>{10ms, 1min});
  section.read("nak_delay", config.nak_delay, core::Range<core::Duration>{10ms, 1h});
  section.read("nak_delay_max", config.nak_delay_max, core::Range<core::Duration>{10ms, 24h});
  section.read("maintenance_interval", config.maintenance_interval,
               core::Range<core::Duration>{100ms, 24h});
  section.read("partitions_ahead", config.partitions_ahead, core::Range<int>{1, 60});
  section.read("info_interval", config.info_interval, core::Range<core::Duration>{100ms, 1h});
  if (config.fetch_wait >= config.ack_wait)
    section.fail("fetch_wait", "a wait shorter than ack_wait");

  auto retention = section.child("retention");
  auto read_days = [&](std::string_view key, std::int64_t& ms) {
    core::Duration value{ms};
    retention.read(key, value, core::Range<core::Duration>{0ms, std::chrono::days(36'500)});
    ms = value.count();
  };
  read_days("samples", config.retention.samples_ms);
  read_days("rollups_5m", config.retention.rollups_5m_ms);
  read_days("rollups_1h", config.retention.rollups_1h_ms);
  read_days("batch_keys", config.retention.batch_keys_ms);
  return config;
}

Worker::Worker(const Config& config, core::ComponentContext& context)
    : impl_(std::make_unique<WorkerImpl>(config, context)) {}

Worker::~Worker() = default;

void Worker::start() {
  impl_->start();
}

void Worker::stop(core::Deadline deadline) {
  impl_->stop(deadline);
}

core::Readiness Worker::readiness() const {
  return impl_->readiness();
}

}  // namespace sentinel::worker
