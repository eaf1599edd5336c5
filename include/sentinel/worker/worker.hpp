#pragma once
// The `worker` component: consumes the batches gateways publish (durable JetStream consumer
// `sentinel-ingest`, or the in-process bus), stores each group of them exactly once in one
// transaction, and acks only after the commit. One worker at a time, the leader, also runs the
// storage duties: partitions ahead, rollup refresh and retention. Any number of workers may
// share the consumer and the database.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "sentinel/core/component.hpp"
#include "sentinel/core/config.hpp"
#include "sentinel/core/registry.hpp"
#include "sentinel/store/samples.hpp"

namespace sentinel::worker {

class WorkerImpl;

class Worker final : public core::Component {
 public:
  static constexpr std::string_view kName = "worker";

  struct Config {
    std::string durable = "sentinel-ingest";
    std::string subject = "sentinel.metrics.>";  // the consumer's filter
    core::Duration ack_wait = std::chrono::seconds(30);
    int max_deliver = 10;
    std::size_t max_ack_pending = 20'000;
    std::size_t fetch_batch = 256;  // messages per fetch, stored in one transaction
    int fetches_in_flight = 2;
    core::Duration fetch_wait = std::chrono::seconds(1);
    core::Duration nak_delay = std::chrono::seconds(1);       // doubles per delivery...
    core::Duration nak_delay_max = std::chrono::seconds(30);  // ...up to this
    // Leader duties.
    core::Duration maintenance_interval = std::chrono::seconds(10);
    int partitions_ahead = 3;  // days
    store::RetentionPolicy retention;
    core::Duration info_interval = std::chrono::seconds(5);  // consumer lag polling
    static Config parse(core::ConfigSection& section);
  };

  Worker(const Config& config, core::ComponentContext& context);
  ~Worker() override;

  void start() override;
  // Stops fetching, lets in-flight groups commit and ack, returns by the deadline.
  void stop(core::Deadline deadline) override;
  core::Readiness readiness() const override;

 private:
  std::unique_ptr<WorkerImpl> impl_;
};

}  // namespace sentinel::worker
