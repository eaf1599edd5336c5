#pragma once
// The SQLite backend (laptop mode): one database file in WAL mode, one writer thread that runs
// every Access::kWrite job, and `pool_size` reader threads for Access::kRead jobs, which read
// committed data while the writer works. Reader connections refuse writes.

#include <memory>
#include <string>

#include "backend.hpp"
#include "health.hpp"
#include "sqlite/lease.hpp"
#include "store_threads.hpp"

namespace sentinel::store::sqlite {

class SqliteStore final : public StoreBackend {
 public:
  SqliteStore(const StoreOptions& options, core::Logger log, StoreMetrics& metrics);

  Backend backend() const override { return Backend::kSqlite; }
  core::Readiness readiness() const override { return health_.readiness(); }
  // Creates the database's directory (mode 0700) and file when missing.
  void start() override;
  void stop(core::Deadline deadline) override;

 protected:
  void submit(Access access, Job job) override;
  std::unique_ptr<Lease> acquire_lease(const std::string& name) override {
    return leases_->try_acquire(name);
  }

 private:
  StoreOptions options_;
  core::Logger log_;
  Health health_;
  std::shared_ptr<LocalLeases> leases_ = std::make_shared<LocalLeases>();
  StoreThreads writer_;
  StoreThreads readers_;
};

}  // namespace sentinel::store::sqlite
