#pragma once
// A PostgreSQL session: one connection, reconnected with backoff when it breaks, and the
// repositories over it.

#include <memory>

#include "sentinel/core/metrics.hpp"

#include "alerting_rows.hpp"
#include "backoff.hpp"
#include "postgres/connection.hpp"
#include "session_base.hpp"

namespace sentinel::store::postgres {

class PgSession final : public SessionBase {
 public:
  PgSession(PgSettings settings, core::Logger log, Health& health, core::Counter& connect_failures);

  // The first connection, at start-up; throws when the database cannot be reached.
  void connect() { connection_.connect(); }

  AgentRepository& agents() override { return *agents_; }
  CredentialRepository& credentials() override { return *credentials_; }
  SampleRepository& samples() override { return *samples_; }
  MetricQueries& metric_queries() override { return *metric_queries_; }
  AlertRepository& alerts() override { return *alerting_.alerts; }
  SilenceRepository& silences() override { return *alerting_.silences; }
  NotifierRepository& notifiers() override { return *alerting_.notifiers; }
  OutboxRepository& outbox() override { return *alerting_.outbox; }
  void execute(std::string_view sql) override { connection_.execute(sql); }
  MigrationLedger& ledger() override { return *ledger_; }

  void prepare() override;
  void idle() override;
  void interrupt() override { connection_.interrupt(); }

 protected:
  // A rollback that fails has lost the connection, and the transaction with it.
  void roll_back(const std::string& sql) noexcept override { connection_.try_execute(sql); }

 private:
  void reconnect() noexcept;

  PgConnection connection_;
  core::Counter& connect_failures_;
  Backoff backoff_;
  core::Clock::time_point next_attempt_{};
  std::unique_ptr<MigrationLedger> ledger_;
  std::unique_ptr<AgentRepository> agents_;
  std::unique_ptr<CredentialRepository> credentials_;
  std::unique_ptr<SampleRepository> samples_;
  std::unique_ptr<MetricQueries> metric_queries_;
  AlertingRepositories alerting_;
};

}  // namespace sentinel::store::postgres
