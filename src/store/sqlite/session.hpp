#pragma once
// A SQLite session: one connection, the writer's or a reader's, and the repositories over it.

#include <memory>

#include "alerting_rows.hpp"
#include "session_base.hpp"
#include "sqlite/database.hpp"

namespace sentinel::store::sqlite {

class SqliteSession final : public SessionBase {
 public:
  explicit SqliteSession(const SqliteSettings& settings);

  AgentRepository& agents() override { return *agents_; }
  CredentialRepository& credentials() override { return *credentials_; }
  SampleRepository& samples() override { return *samples_; }
  MetricQueries& metric_queries() override { return *metric_queries_; }
  AlertRepository& alerts() override { return *alerting_.alerts; }
  SilenceRepository& silences() override { return *alerting_.silences; }
  NotifierRepository& notifiers() override { return *alerting_.notifiers; }
  OutboxRepository& outbox() override { return *alerting_.outbox; }
  void execute(std::string_view sql) override { db_.execute(sql); }
  MigrationLedger& ledger() override { return *ledger_; }
  void interrupt() override { db_.interrupt(); }
  bool in_transaction() const override { return db_.in_transaction(); }

 protected:
  // The writer takes the write lock when its transaction begins rather than at its first
  // write, where a reader's snapshot could no longer be upgraded and would fail with BUSY.
  std::string_view begin_statement() const override {
    return writer_ ? "BEGIN IMMEDIATE" : "BEGIN";
  }
  // Fails only when SQLite has already rolled back by itself (after SQLITE_FULL, say).
  void roll_back(const std::string& sql) noexcept override { db_.try_execute(sql); }

 private:
  Database db_;
  bool writer_;
  std::unique_ptr<MigrationLedger> ledger_;
  std::unique_ptr<AgentRepository> agents_;
  std::unique_ptr<CredentialRepository> credentials_;
  std::unique_ptr<SampleRepository> samples_;
  std::unique_ptr<MetricQueries> metric_queries_;
  AlertingRepositories alerting_;
};

}  // namespace sentinel::store::sqlite
