#include "backend.hpp"

#include <future>

#include "postgres/store.hpp"
#include "session_base.hpp"
#include "sqlite/store.hpp"

namespace sentinel::store {

StoreOptions store_options(const StoreComponent::Config& config,
                           const std::filesystem::path& data_dir) {
  StoreOptions options;
  options.backend = config.url.backend;
  options.postgres_url = config.url.postgres;
  options.sqlite_file = sqlite_file(config.url, data_dir);
  options.pool_size = config.pool_size;
  options.statement_timeout = config.statement_timeout;
  options.connect_timeout = config.connect_timeout;
  options.sqlite_synchronous = config.sqlite_synchronous;
  return options;
}

StoreMetrics::StoreMetrics(core::MetricsRegistry& registry)
    : queued_jobs(registry.gauge_family("sentinel_store_queued_jobs",
                                        "Database jobs waiting for a store thread", {"pool"})),
      job_seconds(registry.histogram_family("sentinel_store_job_duration_seconds",
                                            "Time a store thread spent on one job", {"pool"},
                                            core::latency_buckets())),
      jobs_per_commit(registry.histogram_family(
          "sentinel_store_jobs_per_commit",
          "Jobs one transaction carried when the pool commits queued jobs together", {"pool"},
          {1, 2, 4, 8, 16, 32, 64})),
      connect_failures(registry.counter("sentinel_store_connect_failures_total",
                                        "Failed attempts to connect to the database")) {}

PoolMetrics StoreMetrics::pool(const std::string& name) {
  return {queued_jobs.with({name}), job_seconds.with({name}), jobs_per_commit.with({name})};
}

MigrationReport StoreBackend::migrate(std::span<const Migration> migrations, MigrateMode mode) {
  std::promise<MigrationReport> done;
  auto report = done.get_future();
  submit(Access::kWrite, StoreJob([&](Session& session) {
           try {
             done.set_value(run_migrations(static_cast<SessionBase&>(session), migrations, mode));
           } catch (...) {
             done.set_exception(std::current_exception());
           }
         }));
  return report.get();
}

std::unique_ptr<StoreBackend> make_backend(const StoreOptions& options, core::Logger log,
                                           StoreMetrics& metrics) {
  if (options.backend == Backend::kPostgres) {
    return std::make_unique<postgres::PostgresStore>(options, std::move(log), metrics);
  }
  return std::make_unique<sqlite::SqliteStore>(options, std::move(log), metrics);
}

}  // namespace sentinel::store
