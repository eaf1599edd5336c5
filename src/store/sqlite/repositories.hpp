#pragma once
// The SQLite implementation of each repository, one file per domain (agents.cpp, ...), made
// over the connection of the session that owns it.

#include <memory>

#include "sentinel/store/agents.hpp"
#include "sentinel/store/credentials.hpp"
#include "sentinel/store/samples.hpp"

#include "alerting_rows.hpp"
#include "migrations/runner.hpp"
#include "sqlite/database.hpp"

namespace sentinel::store::sqlite {

std::unique_ptr<MigrationLedger> make_ledger(Database& db);
std::unique_ptr<AgentRepository> make_agents(Database& db);
std::unique_ptr<CredentialRepository> make_credentials(Database& db);
std::unique_ptr<SampleRepository> make_samples(Database& db);
std::unique_ptr<MetricQueries> make_metric_queries(Database& db);
AlertingRepositories make_alerting(Database& db);

}  // namespace sentinel::store::sqlite
