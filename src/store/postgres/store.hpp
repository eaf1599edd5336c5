#pragma once
// The PostgreSQL backend: `pool_size` connections, each owned by a store thread that takes jobs
// from one shared queue, so database calls never block the event loop.

#include <memory>
#include <string>

#include "backend.hpp"
#include "health.hpp"
#include "postgres/connection.hpp"
#include "store_threads.hpp"

namespace sentinel::store::postgres {

class PostgresStore final : public StoreBackend {
 public:
  PostgresStore(const StoreOptions& options, core::Logger log, StoreMetrics& metrics);

  Backend backend() const override { return Backend::kPostgres; }
  core::Readiness readiness() const override { return health_.readiness(); }
  void start() override;
  void stop(core::Deadline deadline) override;

 protected:
  void submit(Access, Job job) override { threads_.submit(std::move(job)); }
  std::unique_ptr<Lease> acquire_lease(const std::string& name) override;

 private:
  StoreOptions options_;
  PgSettings settings_;
  core::Logger log_;
  StoreMetrics& metrics_;
  Health health_;  // before threads_: their sessions report to it until they stop
  StoreThreads threads_;
};

}  // namespace sentinel::store::postgres
