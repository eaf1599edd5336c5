#include "postgres/session.hpp"

#include "postgres/repositories.hpp"

namespace sentinel::store::postgres {
namespace {

constexpr core::Duration kFirstRetry = std::chrono::milliseconds(100);
constexpr core::Duration kLongestRetry = std::chrono::seconds(10);

}  // namespace

PgSession::PgSession(PgSettings settings, core::Logger log, Health& health,
                     core::Counter& connect_failures)
    : connection_(std::move(settings), std::move(log), &health),
      connect_failures_(connect_failures),
      backoff_(kFirstRetry, kLongestRetry),
      ledger_(make_ledger(connection_)),
      agents_(make_agents(connection_)),
      credentials_(make_credentials(connection_)),
      samples_(make_samples(connection_)),
      metric_queries_(make_metric_queries(connection_)),
      alerting_(make_alerting(connection_)) {}

void PgSession::prepare() {
  // After a restart of the server, a connection that sat idle through it would fail the job.
  if (connection_.dropped_while_idle()) connection_.close();
  if (!connection_.connected()) reconnect();
}

void PgSession::idle() {
  if (connection_.connected()) {
    connection_.try_execute("SELECT 1");
  } else {
    reconnect();
  }
}

void PgSession::reconnect() noexcept {
  // While backing off, jobs fail at once with the last error rather than each waiting for a
  // connect timeout against a database that is down.
  if (core::Clock::now() < next_attempt_) return;
  try {
    connection_.connect();
    backoff_.reset();
  } catch (const StoreError&) {
    // connect() has recorded why for the jobs that will fail and for readiness.
    connect_failures_.inc();
    next_attempt_ = core::Clock::now() + backoff_.next();
  }
}

}  // namespace sentinel::store::postgres
