#pragma once
// The PostgreSQL implementation of each repository, one file per domain (agents.cpp, ...),
// made over the connection of the session that owns it.

#include <memory>

#include "sentinel/store/agents.hpp"
#include "sentinel/store/credentials.hpp"
#include "sentinel/store/samples.hpp"

#include "alerting_rows.hpp"
#include "migrations/runner.hpp"
#include "postgres/connection.hpp"

namespace sentinel::store::postgres {

std::unique_ptr<MigrationLedger> make_ledger(PgConnection& connection);
std::unique_ptr<AgentRepository> make_agents(PgConnection& connection);
std::unique_ptr<CredentialRepository> make_credentials(PgConnection& connection);
std::unique_ptr<SampleRepository> make_samples(PgConnection& connection);
std::unique_ptr<MetricQueries> make_metric_queries(PgConnection& connection);
AlertingRepositories make_alerting(PgConnection& connection);

}  // namespace sentinel::store::postgres
