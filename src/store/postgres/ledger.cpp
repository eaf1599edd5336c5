#include "migrations/runner.hpp"
#include "postgres/repositories.hpp"

namespace sentinel::store::postgres {
namespace {

// Advisory locks are per database, so the schema's name is part of the key: deployments (and
// tests) in different schemas of one database migrate independently. The first key, 0x53544d47
// ("STMG"), keeps these apart from the leases' (lease.cpp).
constexpr const char* kLock =
    "SELECT pg_advisory_lock(1398033735, hashtext(coalesce(current_schema(), '')))";
constexpr const char* kUnlock =
    "SELECT pg_advisory_unlock(1398033735, hashtext(coalesce(current_schema(), '')))";

class PgLedger final : public MigrationLedger {
 public:
  explicit PgLedger(PgConnection& connection) : connection_(connection) {}

  void lock() override {
    // A migration may take long (an index on a big table), and so may waiting for another
    // migrator's: the statement timeout is off until unlock().
    connection_.execute("SET statement_timeout = 0");
    connection_.execute(kLock);
  }

  void unlock() noexcept override {
    // Failing means the connection is gone, and the session's lock went with it.
    connection_.try_execute(kUnlock);
    connection_.try_execute(connection_.statement_timeout_sql());
  }

  void ensure_table() override {
    connection_.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version bigint PRIMARY KEY,"
        " name text NOT NULL,"
        " checksum text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
  }

  std::vector<AppliedMigration> applied() override {
    if (connection_.exec("SELECT to_regclass('schema_migrations') IS NULL").row(0).boolean()) {
      return {};
    }
    auto result =
        connection_.exec("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
    std::vector<AppliedMigration> applied;
    for (int i = 0; i < result.rows(); ++i) {
      auto row = result.row(i);
      auto& done = applied.emplace_back();
      done.version = row.int64();
      done.name = row.text();
      done.checksum = row.text();
    }
    return applied;
  }

  void record(const Migration& migration) override {
    connection_.exec("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                     migration.version, migration.name, migration.checksum);
  }

 private:
  PgConnection& connection_;
};

}  // namespace

std::unique_ptr<MigrationLedger> make_ledger(PgConnection& connection) {
  return std::make_unique<PgLedger>(connection);
}

}  // namespace sentinel::store::postgres
