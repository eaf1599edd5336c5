#pragma once
// Applies pending migrations on one session, one migration per transaction, each recorded in
// `schema_migrations` in the same transaction as its changes. Concurrent migrators (several
// processes starting at once) serialize on the ledger's lock; the later ones find nothing to do.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "migrations/migration.hpp"

namespace sentinel::store {

class SessionBase;

// A backend's `schema_migrations` table and migration lock.
class MigrationLedger {
 public:
  virtual ~MigrationLedger() = default;
  // Held from before the first read of the ledger until the run ends (PostgreSQL: an advisory
  // lock; SQLite: nothing, each migration's BEGIN IMMEDIATE serializes).
  virtual void lock() = 0;
  virtual void unlock() noexcept = 0;
  virtual void ensure_table() = 0;
  virtual std::vector<AppliedMigration> applied() = 0;  // empty while the table is missing
  virtual void record(const Migration& migration) = 0;
};

enum class MigrateMode { kApply, kDryRun };

struct MigrationReport {
  std::int64_t from = 0;           // the schema version found
  std::int64_t to = 0;             // the version after the run
  std::int64_t latest = 0;         // the highest version this binary knows
  std::vector<std::string> files;  // applied, or for a dry run those that would be
};

// Throws MigrationError (see plan_migrations) or StoreError (a failed script names its file).
MigrationReport run_migrations(SessionBase& session, std::span<const Migration> migrations,
                               MigrateMode mode);

}  // namespace sentinel::store
