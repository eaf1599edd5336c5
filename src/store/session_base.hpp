#pragma once
// The part of a session every backend shares: transactions with savepoints, and the hooks the
// store threads call around jobs.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/store/session.hpp"

namespace sentinel::store {

class MigrationLedger;

class SessionBase : public Session {
 public:
  void transaction(const std::function<void()>& body) final;
  void after_commit(std::function<void()> action) final;

  // Runs statements that take no parameters, such as a migration script.
  virtual void execute(std::string_view sql) = 0;
  virtual MigrationLedger& ledger() = 0;

  // On the session's own thread before each job: reconnect a broken connection when its
  // backoff allows. Never throws; a job on a broken connection fails with a transient error.
  virtual void prepare() {}
  // On the session's own thread after a while without jobs: check the connection.
  virtual void idle() {}
  // From another thread: abandon the statement running now (stop's deadline has passed).
  virtual void interrupt() {}
  // Whether a transaction is open on the connection. A backend whose database may end one by
  // itself (SQLite after a full disk) asks the connection.
  virtual bool in_transaction() const { return depth_ > 0; }

 protected:
  virtual std::string_view begin_statement() const { return "BEGIN"; }
  // Ends a failed transaction while its exception propagates, so it must not throw.
  virtual void roll_back(const std::string& sql) noexcept = 0;

 private:
  int depth_ = 0;
  std::vector<std::function<void()>> after_commit_;  // in the order they came
};

// What jobs get once the store has stopped: every use throws a transient StoreError, which
// Store::run hands back to the caller as an error value.
class ClosedSession final : public SessionBase {
 public:
  AgentRepository& agents() override { fail(); }
  CredentialRepository& credentials() override { fail(); }
  SampleRepository& samples() override { fail(); }
  MetricQueries& metric_queries() override { fail(); }
  AlertRepository& alerts() override { fail(); }
  SilenceRepository& silences() override { fail(); }
  NotifierRepository& notifiers() override { fail(); }
  OutboxRepository& outbox() override { fail(); }
  void execute(std::string_view) override { fail(); }
  MigrationLedger& ledger() override { fail(); }

 protected:
  void roll_back(const std::string&) noexcept override {}

 private:
  [[noreturn]] static void fail();
};

}  // namespace sentinel::store
