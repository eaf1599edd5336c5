// What only the PostgreSQL backend has: binary COPY, recovery from a server restart, and leases
// that die with their connection.

#include <catch2/catch.hpp>

#include "backends.hpp"
#include "postgres/connection.hpp"
#include "postgres/copy.hpp"
#include "postgres/session.hpp"
#include "support/postgres_cluster.hpp"

using namespace sentinel;
using namespace sentinel::store;
using namespace sentinel::store::test;
using namespace std::chrono_literals;

namespace {

core::Logger quiet_logger() {
  return core::Logger(
      std::make_shared<core::LogSink>(core::LogLevel::kError, core::LogFormat::kText), "test");
}

}  // namespace

TEST_CASE("postgres: binary COPY writes what it encodes") {
  PostgresBackend backend;
  postgres::PgConnection connection({backend.options().postgres_url}, quiet_logger());
  connection.connect();
  connection.execute(
      "CREATE TABLE copy_probe (i bigint, f double precision, t text, b boolean, ts timestamptz,"
      " j jsonb, n integer, missing text)");

  postgres::BinaryCopyWriter writer;
  writer.begin_row(8);
  writer.int8(-9'000'000'000'000);
  writer.float8(0.1);
  writer.text("h\xc3\xa9llo\ttab");
  writer.boolean(true);
  writer.timestamptz(1'700'000'000'123);
  writer.jsonb(R"({"a": [1, 2]})");
  writer.int4(-7);
  writer.null();
  writer.begin_row(8);
  writer.int8(1);
  writer.float8(-2.5);
  writer.text("");
  writer.boolean(false);
  writer.timestamptz(0);
  writer.jsonb("{}");
  writer.int4(0);
  writer.text("present");
  connection.copy_from("COPY copy_probe FROM STDIN (FORMAT binary)", writer.finish());

  auto rows = connection.exec(
      "SELECT i, f, t, b, (extract(epoch FROM ts) * 1000)::bigint, j::text, n, missing IS NULL"
      " FROM copy_probe ORDER BY i");
  REQUIRE(rows.rows() == 2);
  auto first = rows.row(0);
  CHECK(first.int64() == -9'000'000'000'000);
  CHECK(first.float8() == 0.1);
  CHECK(first.text() == "h\xc3\xa9llo\ttab");
  CHECK(first.boolean());
  CHECK(first.int64() == 1'700'000'000'123);
  CHECK(first.text() == R"({"a": [1, 2]})");
  CHECK(first.int32() == -7);
  CHECK(first.boolean());
  auto second = rows.row(1);
  CHECK(second.int64() == 1);
  CHECK(second.float8() == -2.5);
  CHECK(second.text().empty());
  CHECK_FALSE(second.boolean());
  CHECK(second.int64() == 0);
}

TEST_CASE("postgres: a COPY the server rejects is an error, and the connection stays usable") {
  PostgresBackend backend;
  postgres::PgConnection connection({backend.options().postgres_url}, quiet_logger());
  connection.connect();
  connection.execute("CREATE TABLE copy_probe (i bigint NOT NULL)");
  postgres::BinaryCopyWriter writer;
  writer.begin_row(1);
  writer.null();
  CHECK_THROWS_AS(
      connection.copy_from("COPY copy_probe FROM STDIN (FORMAT binary)", writer.finish()),
      StoreError);
  CHECK(connection.exec("SELECT count(*) FROM copy_probe").row(0).int64() == 0);
}

TEST_CASE("postgres: jobs fail transiently while the server is down and work once it is back") {
  sentinel::test::PostgresCluster cluster;
  StoreOptions options;
  options.backend = Backend::kPostgres;
  options.postgres_url = cluster.url();
  options.pool_size = 2;
  options.connect_timeout = 2s;
  OpenStore store(options);
  store.migrate(shipped_migrations(Backend::kPostgres));
  Agent agent;
  agent.id = new_agent_id();
  agent.name = "survivor";
  auto created = store.run([&](Session& s) {
    s.agents().create(agent);
    return core::Unit{};
  });
  REQUIRE(created.ok());
  CHECK(store.backend().readiness().ready);

  cluster.stop();
  auto get = [&] { return store.run([&](Session& s) { return s.agents().get(agent.id); }); };
  for (int i = 0; i < 3; ++i) {  // the first finds its connection gone, the next cannot connect
    auto down = get();
    REQUIRE_FALSE(down.ok());
    CHECK(down.error().code == "unavailable");
    CHECK(down.error().transient);
  }
  const auto readiness = store.backend().readiness();
  CHECK_FALSE(readiness.ready);
  CHECK_THAT(readiness.reason, Catch::StartsWith("database unreachable: "));

  cluster.start();
  CHECK(sentinel::test::eventually([&] { return get().ok(); }, 30s));
  // Once one connection is back, the others try again at once rather than wait out their
  // backoff: no job fails any more, whichever store thread takes it.
  for (int i = 0; i < 8; ++i) {
    auto back = get();
    REQUIRE(back.ok());
    CHECK((*back)->name == "survivor");
  }
  CHECK(store.backend().readiness().ready);
}

TEST_CASE("postgres: a connection the server dropped while idle is replaced before the next job") {
  sentinel::test::PostgresCluster cluster;
  Health health;
  core::MetricsRegistry registry;
  auto& connect_failures = registry.counter("test_connect_failures_total", "Connect failures.");
  for (const bool crash : {false, true}) {
    postgres::PgSession session({cluster.url()}, quiet_logger(), health, connect_failures);
    session.connect();
    // A restart, or a crash that the server recovers from, while the session sits idle.
    if (crash) {
      cluster.crash();
    } else {
      cluster.stop();
    }
    cluster.start();
    session.prepare();
    CHECK_NOTHROW(session.execute("SELECT 1"));
  }
}

TEST_CASE("postgres: a lease is lost with its connection, and another may then lead") {
  PostgresBackend backend;
  auto options = backend.options();
  options.lease_check_interval = 60s;  // the server closing the connection wakes the watcher
  OpenStore store(options);
  auto first = store.try_lead("retention");
  REQUIRE(first.ok());
  REQUIRE(*first != nullptr);
  auto refused = store.try_lead("retention");
  REQUIRE(refused.ok());
  REQUIRE(*refused == nullptr);

  backend.admin(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
      " AND classid = 1398033491 AND objsubid = 2"
      " AND objid = hashtext('" +
      backend.schema() + "/retention')::oid");
  CHECK(sentinel::test::eventually([&] { return !(*first)->held(); }));
  auto next = store.try_lead("retention");
  REQUIRE(next.ok());
  CHECK(*next != nullptr);
}
