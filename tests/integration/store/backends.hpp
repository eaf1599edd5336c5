#pragma once
// The store contract suite runs every TEMPLATE_TEST_CASE once per backend fixture:
//
//   TEMPLATE_TEST_CASE("agents: ...", "[agents]", SqliteBackend, PostgresBackend) {
//     TestType backend;                 // a fresh database: a temp file, or a fresh schema
//     auto store = backend.open();      // started and migrated
//     auto got = store->run([](Session& s) { return s.agents().get("x"); });
//   }
//
// PostgreSQL cases need SENTINEL_TEST_PG_DSN (scripts/services.sh); without it they fail.

#include <future>
#include <memory>
#include <span>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "sentinel/core/metrics.hpp"
#include "sentinel/store/session.hpp"
#include "sentinel/store/store.hpp"

#include "backend.hpp"
#include "support/temp_dir.hpp"

namespace sentinel::store::postgres {
class PgConnection;
}

namespace sentinel::store::test {

// Runs `task` on `io` and hands its value over through a future. (co_spawn itself cannot
// return a core::Result: Boost 1.81 wants a default-constructible value.)
template <class T>
std::future<T> spawn(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  boost::asio::co_spawn(
      io,
      [promise, task = std::move(task)]() mutable -> boost::asio::awaitable<void> {
        promise->set_value(co_await std::move(task));
      },
      boost::asio::detached);
  return future;
}

// Runs `task` to its end on the calling thread.
template <class T>
T complete(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  auto result = spawn(io, std::move(task));
  io.run();
  return result.get();
}

// A started store, stopped when it goes away, whose work a test runs from its own thread.
class OpenStore {
 public:
  explicit OpenStore(const StoreOptions& options);
  ~OpenStore();

  StoreBackend& backend() { return *parts_.backend; }
  const core::MetricsRegistry& metrics() const { return registry_; }

  template <class Work>
  auto run(Work work, Access access = Access::kWrite) {
    return complete(backend().run(std::move(work), access));
  }
  core::Result<std::unique_ptr<Lease>> try_lead(const std::string& name) {
    return complete(backend().try_lead(name));
  }
  MigrationReport migrate(std::span<const Migration> migrations,
                          MigrateMode mode = MigrateMode::kApply) {
    return backend().migrate(migrations, mode);
  }
  // The versions in schema_migrations.
  std::vector<std::int64_t> applied_versions();

 private:
  core::MetricsRegistry registry_;
  StoreParts parts_;
};

// A complete agent with a fresh id.
Agent test_agent(const std::string& name);
// Creates `agent`; the test fails when that fails.
void create_agent(OpenStore& store, const Agent& agent);
// The agent with `id`, read on a reader thread.
std::optional<Agent> find_agent(OpenStore& store, const std::string& id);

// The migrations this binary carries for `backend`.
std::vector<Migration> shipped_migrations(Backend backend);

class SqliteBackend {
 public:
  StoreOptions options() const;
  std::unique_ptr<OpenStore> open(bool migrate = true) const;
  std::string slow_query() const;  // runs for minutes unless interrupted
  // Runs SQL on a connection of its own: a seed below the store's API, or a look inside it.
  void admin(const std::string& sql) const;
  // The first column of the first row of `sql` (a count), on a connection of its own.
  std::int64_t scalar(const std::string& sql) const;

 private:
  sentinel::test::TempDir dir_;
};

class PostgresBackend {
 public:
  PostgresBackend();   // a fresh schema in the database of SENTINEL_TEST_PG_DSN
  ~PostgresBackend();  // drops it
  StoreOptions options() const;
  std::unique_ptr<OpenStore> open(bool migrate = true) const;
  std::string slow_query() const;
  // Runs administrative SQL on a connection of its own, outside the test's schema.
  void admin(const std::string& sql) const;
  // The first column of the first row of `sql` (a count), in the test's schema.
  std::int64_t scalar(const std::string& sql) const;
  // A connection of its own in the test's schema, to hold locks beside the store's.
  std::unique_ptr<postgres::PgConnection> connect() const;
  const std::string& schema() const { return schema_; }

 private:
  std::string dsn_;
  std::string schema_;
};

// The DSN of the shared test database; fails the test when it is not set.
std::string test_dsn();
// `url` with its search_path set to `schema`.
std::string with_search_path(const std::string& url, const std::string& schema);

}  // namespace sentinel::store::test
