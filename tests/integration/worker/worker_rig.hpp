#pragma once
// The worker (and, for API tests, the query component) running as a role would run it, against
// a store of the test's own and the in-process bus or a nats-server; with helpers that publish
// batches as the gateway does and read back what was stored.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sentinel/bus/bus.hpp"
#include "sentinel/store/ingest.hpp"

#include "backends.hpp"
#include "support/component_harness.hpp"

namespace sentinel::worker::test {

// A serialized sentinel.v1.Batch, the bus payload: `points` samples each of
// cpu_usage_percent{cpu="total"} and memory_used_percent, 10 s apart from `first_time`.
std::string batch_payload(const std::string& agent, std::uint64_t batch_id, std::int64_t first_time,
                          int points);
// The same batch as the store ingests it.
store::IngestBatch ingest_batch(const std::string& agent, std::uint64_t batch_id,
                                std::int64_t first_time, int points);

// SENTINEL_STORE_URL for a backend fixture's options.
std::string store_url(const store::StoreOptions& options);

class WorkerRig {
 public:
  // `environment`: SENTINEL_* settings on top of quick test defaults.
  WorkerRig(std::vector<std::string> components, std::map<std::string, std::string> environment);

  store::Store& store();
  bus::Bus& bus();
  sentinel::test::ComponentHarness& harness() { return harness_; }
  double metric(std::string_view series);
  // Waits until the worker has bound its consumer; fails the test otherwise.
  void wait_ready();

  bus::PublishResult publish(const std::string& subject, const std::string& agent,
                             std::uint64_t batch_id, std::string payload);
  // Samples stored for the agent, counted through the query reads.
  std::size_t samples_of(const std::string& agent);
  std::int64_t dead_letters();

 private:
  core::ComponentCatalog catalog_;  // the harness's components refer to it
  sentinel::test::ComponentHarness harness_;
};

// A fresh SQLite store file in a directory of the test's own.
class SqliteStoreDir {
 public:
  std::string url() const { return "sqlite://" + file().string(); }
  std::filesystem::path file() const { return dir_.path() / "worker.db"; }

 private:
  sentinel::test::TempDir dir_;
};

}  // namespace sentinel::worker::test
