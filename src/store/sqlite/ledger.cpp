#include "sentinel/core/unix_time.hpp"

#include "migrations/runner.hpp"
#include "sqlite/repositories.hpp"

namespace sentinel::store::sqlite {
namespace {

class SqliteLedger final : public MigrationLedger {
 public:
  explicit SqliteLedger(Database& db) : db_(db) {}

  // Each migration's transaction begins IMMEDIATE, taking the database's one write lock before
  // the ledger is read: that alone serializes migrators.
  void lock() override {}
  void unlock() noexcept override {}

  void ensure_table() override {
    db_.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY,"
        " name TEXT NOT NULL,"
        " checksum TEXT NOT NULL,"
        " applied_at INTEGER NOT NULL) STRICT");
  }

  std::vector<AppliedMigration> applied() override {
    auto exists = db_.query(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'");
    if (!exists.step() || exists.row().int64() == 0) return {};
    auto rows = db_.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
    std::vector<AppliedMigration> applied;
    while (rows.step()) {
      auto row = rows.row();
      auto& done = applied.emplace_back();
      done.version = row.int64();
      done.name = row.text();
      done.checksum = row.text();
    }
    return applied;
  }

  void record(const Migration& migration) override {
    db_.query(
           "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
           " VALUES (?1, ?2, ?3, ?4)",
           migration.version, migration.name, migration.checksum, core::unix_ms())
        .run();
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<MigrationLedger> make_ledger(Database& db) {
  return std::make_unique<SqliteLedger>(db);
}

}  // namespace sentinel::store::sqlite
