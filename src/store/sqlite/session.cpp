#include "sqlite/session.hpp"

#include "sqlite/repositories.hpp"

namespace sentinel::store::sqlite {

SqliteSession::SqliteSession(const SqliteSettings& settings)
    : db_(settings),
      writer_(settings.writer),
      ledger_(make_ledger(db_)),
      agents_(make_agents(db_)),
      credentials_(make_credentials(db_)),
      samples_(make_samples(db_)),
      metric_queries_(make_metric_queries(db_)),
      alerting_(make_alerting(db_)) {}

}  // namespace sentinel::store::sqlite
