#include "migrations/runner.hpp"

#include <fmt/format.h>

#include "session_base.hpp"

namespace sentinel::store {
namespace {

class LedgerLock {
 public:
  explicit LedgerLock(MigrationLedger& ledger) : ledger_(ledger) { ledger_.lock(); }
  ~LedgerLock() { ledger_.unlock(); }
  LedgerLock(const LedgerLock&) = delete;
  LedgerLock& operator=(const LedgerLock&) = delete;

 private:
  MigrationLedger& ledger_;
};

void apply(SessionBase& session, const Migration& migration) {
  session.ledger().ensure_table();
  try {
    session.execute(migration.sql);
  } catch (const StoreError& e) {
    throw StoreError(e.code(), fmt::format("migration {} failed: {}", migration.file, e.what()),
                     e.transient());
  }
  session.ledger().record(migration);
}

}  // namespace

MigrationReport run_migrations(SessionBase& session, std::span<const Migration> migrations,
                               MigrateMode mode) {
  LedgerLock lock(session.ledger());
  MigrationReport report;
  bool first = true;
  bool done = false;
  // The plan is read again inside each migration's transaction: on SQLite that transaction
  // is the only lock, and another process may have migrated since the last one.
  while (!done) {
    session.transaction([&] {
      const auto plan = plan_migrations(migrations, session.ledger().applied());
      if (first) report.from = plan.current;
      first = false;
      report.to = plan.current;
      report.latest = plan.latest;
      if (mode == MigrateMode::kDryRun) {
        for (const auto* migration : plan.pending)
          report.files.push_back(migration->file);
      }
      if (plan.pending.empty() || mode == MigrateMode::kDryRun) {
        done = true;
        return;
      }
      apply(session, *plan.pending.front());
      report.files.push_back(plan.pending.front()->file);
      report.to = plan.pending.front()->version;
    });
  }
  return report;
}

}  // namespace sentinel::store
