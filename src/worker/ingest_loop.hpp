#pragma once
// One fetch loop of the worker: fetch a group, store it in one transaction, then settle every
// message: ack after the commit, nak with backoff when the store failed, dead-letter and term
// what can never be stored. The worker runs `fetches_in_flight` of them on one consumer.

#include <atomic>

#include <boost/asio/awaitable.hpp>

#include "sentinel/bus/bus.hpp"
#include "sentinel/core/log.hpp"
#include "sentinel/store/ingest.hpp"
#include "sentinel/store/store.hpp"
#include "sentinel/worker/worker.hpp"

#include "decode.hpp"
#include "worker_metrics.hpp"

namespace sentinel::worker {

struct IngestContext {
  const Worker::Config& config;
  store::Store& store;
  store::IngestCache& cache;
  WorkerMetrics& metrics;
  core::Logger log;
  const std::atomic<bool>& stopping;
};

class IngestLoop {
 public:
  IngestLoop(IngestContext context, bus::Consumer& consumer)
      : c_(std::move(context)), consumer_(consumer) {}

  // Until `stopping`: the group fetched last is stored and settled before it returns.
  boost::asio::awaitable<void> run();

 private:
  struct Poison {
    bus::Delivery* delivery;
    std::string reason;
  };

  boost::asio::awaitable<void> handle(bus::Deliveries& deliveries);
  boost::asio::awaitable<void> store(std::vector<store::IngestBatch>& batches,
                                     std::vector<bus::Delivery*>& deliveries);
  // Writes each to ingest_dlq and terms it; naks them all when the store cannot take them.
  boost::asio::awaitable<void> dead_letter(std::vector<Poison>& poison);
  void nak(bus::Delivery& delivery);
  boost::asio::awaitable<void> pause(core::Duration delay);

  IngestContext c_;
  bus::Consumer& consumer_;
};

}  // namespace sentinel::worker
