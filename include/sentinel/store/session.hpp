#pragma once
// One connection to the database, used by one store thread at a time: transactions and the
// repositories of every domain. Each domain has its own header (agents.hpp, ...) with an
// abstract repository and its records; a new domain adds one accessor here.

#include <functional>

#include "sentinel/store/agents.hpp"
#include "sentinel/store/alerting.hpp"
#include "sentinel/store/credentials.hpp"
#include "sentinel/store/samples.hpp"

namespace sentinel::store {

class Session {
 public:
  virtual ~Session() = default;

  // Runs `body` in a transaction: commits when it returns, rolls back and rethrows when it
  // throws. Nested calls are savepoints, so a repository method may open its own.
  virtual void transaction(const std::function<void()>& body) = 0;
  // Runs `action` once what the session has written so far is committed: at once outside a
  // transaction, after the outermost COMMIT inside one, and never when the transaction or
  // savepoint it came in rolls back. For what a process keeps of the database (cached ids).
  virtual void after_commit(std::function<void()> action) = 0;

  virtual AgentRepository& agents() = 0;
  virtual CredentialRepository& credentials() = 0;
  virtual SampleRepository& samples() = 0;
  virtual MetricQueries& metric_queries() = 0;
  virtual AlertRepository& alerts() = 0;
  virtual SilenceRepository& silences() = 0;
  virtual NotifierRepository& notifiers() = 0;
  virtual OutboxRepository& outbox() = 0;
};

}  // namespace sentinel::store
