#include "postgres/store.hpp"

#include "sentinel/core/config_types.hpp"
#include "sentinel/store/url.hpp"

#include "postgres/lease.hpp"
#include "postgres/session.hpp"

namespace sentinel::store::postgres {

PostgresStore::PostgresStore(const StoreOptions& options, core::Logger log, StoreMetrics& metrics)
    : options_(options),
      settings_{options.postgres_url, options.connect_timeout, options.statement_timeout},
      log_(std::move(log)),
      metrics_(metrics),
      threads_("postgres", log_, metrics.pool("postgres"), options.health_interval) {}

void PostgresStore::start() {
  std::vector<std::unique_ptr<SessionBase>> sessions;
  for (std::size_t i = 0; i < options_.pool_size; ++i) {
    auto session = std::make_unique<PgSession>(settings_, log_, health_, metrics_.connect_failures);
    session->connect();
    sessions.push_back(std::move(session));
  }
  threads_.start(std::move(sessions));
  log_.info("connected to {} ({} connections)", core::mask_url_password(options_.postgres_url),
            options_.pool_size);
}

void PostgresStore::stop(core::Deadline deadline) {
  threads_.stop(deadline);
  health_.failed("the store has stopped");
}

std::unique_ptr<Lease> PostgresStore::acquire_lease(const std::string& name) {
  return try_lease(settings_, name, options_.lease_check_interval, log_);
}

}  // namespace sentinel::store::postgres
