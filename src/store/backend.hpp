#pragma once
// What the store component needs from a backend beyond the public Store: its lifecycle and
// migrations. PostgresStore and SqliteStore implement it; make_backend() picks one.

#include <chrono>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "sentinel/core/log.hpp"
#include "sentinel/core/metrics.hpp"
#include "sentinel/store/component.hpp"
#include "sentinel/store/store.hpp"

#include "migrations/runner.hpp"
#include "store_threads.hpp"

namespace sentinel::store {

struct StoreOptions {
  Backend backend = Backend::kSqlite;
  std::string postgres_url;
  std::filesystem::path sqlite_file;
  std::size_t pool_size = 4;
  core::Duration statement_timeout = std::chrono::seconds(30);
  core::Duration connect_timeout = std::chrono::seconds(5);
  SqliteSync sqlite_synchronous = SqliteSync::kFull;
  // An idle connection is checked this often, so readiness notices a database gone quiet.
  core::Duration health_interval = std::chrono::seconds(5);
  // How often a leader's connection is checked when nothing else wakes it.
  core::Duration lease_check_interval = std::chrono::seconds(2);
};

// The options a component's config and the process's data directory describe.
StoreOptions store_options(const StoreComponent::Config& config,
                           const std::filesystem::path& data_dir);

// Metric handles shared by the store's thread pools.
struct StoreMetrics {
  explicit StoreMetrics(core::MetricsRegistry& registry);
  PoolMetrics pool(const std::string& name);
  core::Family<core::Gauge>& queued_jobs;
  core::Family<core::Histogram>& job_seconds;
  core::Family<core::Histogram>& jobs_per_commit;
  core::Counter& connect_failures;
};

class StoreBackend : public Store {
 public:
  // Opens the connections and starts the threads; throws StoreError when the database cannot
  // be opened or reached.
  virtual void start() = 0;
  // Runs what is queued until `deadline`; what is left then fails with a transient error.
  virtual void stop(core::Deadline deadline) = 0;

  // Blocks until done: call it from outside the event loop (start(), the migrate command).
  // Throws MigrationError or StoreError.
  MigrationReport migrate(std::span<const Migration> migrations, MigrateMode mode);
};

std::unique_ptr<StoreBackend> make_backend(const StoreOptions& options, core::Logger log,
                                           StoreMetrics& metrics);

// A backend with the metric handles it reports to.
struct StoreParts {
  StoreParts(core::MetricsRegistry& registry, const StoreOptions& options, core::Logger log)
      : metrics(registry), backend(make_backend(options, std::move(log), metrics)) {}
  StoreMetrics metrics;
  std::unique_ptr<StoreBackend> backend;
};

}  // namespace sentinel::store
