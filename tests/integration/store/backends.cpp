#include "backends.hpp"

#include <cstdlib>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "sentinel/core/crypto.hpp"

#include "postgres/connection.hpp"
#include "session_base.hpp"
#include "sqlite/database.hpp"

namespace sentinel::store::test {
namespace {

core::Logger test_logger() {
  return core::Logger(
      std::make_shared<core::LogSink>(core::LogLevel::kWarn, core::LogFormat::kText), "store");
}

}  // namespace

OpenStore::OpenStore(const StoreOptions& options) : parts_(registry_, options, test_logger()) {
  parts_.backend->start();
}

OpenStore::~OpenStore() {
  parts_.backend->stop(core::Clock::now() + std::chrono::seconds(10));
}

std::vector<std::int64_t> OpenStore::applied_versions() {
  auto applied = run([](Session& session) {
    std::vector<std::int64_t> versions;
    for (const auto& done : static_cast<SessionBase&>(session).ledger().applied())
      versions.push_back(done.version);
    return versions;
  });
  REQUIRE(applied.ok());
  return *applied;
}

Agent test_agent(const std::string& name) {
  Agent agent;
  agent.id = new_agent_id();
  agent.name = name;
  agent.hostname = name + ".example.org";
  agent.hardware_id = "hw-" + name;
  agent.labels = {{"dc", "eu-1"}, {"role", "web"}};
  agent.created_at = 1'700'000'000'123;
  return agent;
}

void create_agent(OpenStore& store, const Agent& agent) {
  auto created = store.run([&](Session& s) {
    s.agents().create(agent);
    return core::Unit{};
  });
  REQUIRE(created.ok());
}

std::optional<Agent> find_agent(OpenStore& store, const std::string& id) {
  auto got = store.run([&](Session& s) { return s.agents().get(id); }, Access::kRead);
  REQUIRE(got.ok());
  return *got;
}

std::vector<Migration> shipped_migrations(Backend backend) {
  return load_migrations(embedded_migrations(backend));
}

StoreOptions SqliteBackend::options() const {
  StoreOptions options;
  options.backend = Backend::kSqlite;
  options.sqlite_file = dir_ / "store.db";
  options.pool_size = 2;
  options.statement_timeout = std::chrono::seconds(10);
  return options;
}

std::unique_ptr<OpenStore> SqliteBackend::open(bool migrate) const {
  auto store = std::make_unique<OpenStore>(options());
  if (migrate) store->migrate(shipped_migrations(Backend::kSqlite));
  return store;
}

std::string SqliteBackend::slow_query() const {
  return "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000000)"
         " SELECT count(*) FROM n";
}

void SqliteBackend::admin(const std::string& sql) const {
  sqlite::Database({.file = options().sqlite_file}).execute(sql);
}

std::int64_t SqliteBackend::scalar(const std::string& sql) const {
  sqlite::Database db({.file = options().sqlite_file});
  auto rows = db.query(sql);
  REQUIRE(rows.step());
  return rows.row().int64();
}

std::string test_dsn() {
  const char* dsn = std::getenv("SENTINEL_TEST_PG_DSN");
  if (dsn == nullptr || *dsn == '\0') {
    FAIL(
        "SENTINEL_TEST_PG_DSN is not set: run the PostgreSQL cases under scripts/services.sh, "
        "e.g. eval \"$(scripts/services.sh start)\" first");
  }
  return dsn;
}

std::string with_search_path(const std::string& url, const std::string& schema) {
  return fmt::format("{}{}options=-csearch_path%3D{}", url,
                     url.find('?') == std::string::npos ? '?' : '&', schema);
}

PostgresBackend::PostgresBackend()
    : dsn_(test_dsn()), schema_("test_" + core::to_hex(core::random_bytes(6))) {
  admin("CREATE SCHEMA " + schema_);
}

PostgresBackend::~PostgresBackend() {
  admin("DROP SCHEMA " + schema_ + " CASCADE");
}

void PostgresBackend::admin(const std::string& sql) const {
  postgres::PgConnection connection({dsn_}, test_logger());
  connection.connect();
  connection.execute(sql);
}

std::int64_t PostgresBackend::scalar(const std::string& sql) const {
  auto result = connect()->exec(sql);
  REQUIRE(result.rows() > 0);
  return result.row(0).int64();
}

std::unique_ptr<postgres::PgConnection> PostgresBackend::connect() const {
  auto connection = std::make_unique<postgres::PgConnection>(
      postgres::PgSettings{with_search_path(dsn_, schema_)}, test_logger());
  connection->connect();
  return connection;
}

StoreOptions PostgresBackend::options() const {
  StoreOptions options;
  options.backend = Backend::kPostgres;
  options.postgres_url = with_search_path(dsn_, schema_);
  options.pool_size = 2;
  options.statement_timeout = std::chrono::seconds(10);
  options.connect_timeout = std::chrono::seconds(2);
  return options;
}

std::unique_ptr<OpenStore> PostgresBackend::open(bool migrate) const {
  auto store = std::make_unique<OpenStore>(options());
  if (migrate) store->migrate(shipped_migrations(Backend::kPostgres));
  return store;
}

std::string PostgresBackend::slow_query() const {
  return "SELECT pg_sleep(600)";
}

}  // namespace sentinel::store::test
