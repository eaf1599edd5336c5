#include <future>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "backends.hpp"
#include "session_base.hpp"
#include "support/component_harness.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using namespace sentinel::store;
using namespace sentinel::store::test;
using sentinel::test::metric_value;

namespace {

bool exists(OpenStore& store, const std::string& id) {
  return find_agent(store, id).has_value();
}

}  // namespace

TEMPLATE_TEST_CASE("session: a transaction commits when its body returns", "[session]",
                   SqliteBackend, PostgresBackend) {
  TestType backend;
  auto store = backend.open();
  const auto a = test_agent("a");
  const auto b = test_agent("b");
  auto done = store->run([&](Session& s) {
    s.transaction([&] {
      s.agents().create(a);
      s.agents().create(b);
    });
    return core::Unit{};
  });
  CHECK(done.ok());
  CHECK(exists(*store, a.id));
  CHECK(exists(*store, b.id));
}

TEMPLATE_TEST_CASE("session: a transaction rolls back when its body throws", "[session]",
                   SqliteBackend, PostgresBackend) {
  TestType backend;
  auto store = backend.open();
  const auto a = test_agent("a");
  auto failed = store->run([&](Session& s) {
    s.transaction([&] {
      s.agents().create(a);
      throw StoreError("test", "the body gave up", false);
    });
    return core::Unit{};
  });
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == "test");
  CHECK_FALSE(exists(*store, a.id));

  // Any exception rolls back, and reaches the caller as an error rather than a hang.
  auto broken = store->run([&](Session& s) {
    s.transaction([&] {
      s.agents().create(a);
      throw std::logic_error("a bug in the work");
    });
    return core::Unit{};
  });
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().code == "internal");
  CHECK_FALSE(exists(*store, a.id));
}

TEMPLATE_TEST_CASE("session: a nested transaction is a savepoint", "[session]", SqliteBackend,
                   PostgresBackend) {
  TestType backend;
  auto store = backend.open();
  const auto outer = test_agent("outer");
  const auto inner = test_agent("inner");
  auto done = store->run([&](Session& s) {
    s.transaction([&] {
      s.agents().create(outer);
      try {
        s.transaction([&] {
          s.agents().create(inner);
          s.agents().create(outer);  // a conflict: undoes the inner block only
        });
      } catch (const StoreError& e) {
        CHECK(e.code() == "conflict");
      }
    });
    return core::Unit{};
  });
  CHECK(done.ok());
  CHECK(exists(*store, outer.id));
  CHECK_FALSE(exists(*store, inner.id));
}

TEMPLATE_TEST_CASE("session: after_commit runs once the writes are committed, never if undone",
                   "[session]", SqliteBackend, PostgresBackend) {
  TestType backend;
  auto store = backend.open();
  std::vector<std::string> ran;
  auto done = store->run([&](Session& s) {
    s.after_commit([&] { ran.push_back("outside a transaction"); });
    CHECK(ran.size() == 1);
    s.transaction([&] {
      s.after_commit([&] { ran.push_back("committed"); });
      try {
        s.transaction([&] {
          s.after_commit([&] { ran.push_back("in a savepoint rolled back"); });
          throw StoreError("test", "undo the savepoint", false);
        });
      } catch (const StoreError&) {
      }
      s.transaction([&] { s.after_commit([&] { ran.push_back("in a savepoint released"); }); });
      CHECK(ran.size() == 1);  // nothing is committed yet
    });
    try {
      s.transaction([&] {
        s.after_commit([&] { ran.push_back("rolled back"); });
        throw StoreError("test", "undo the transaction", false);
      });
    } catch (const StoreError&) {
    }
    return core::Unit{};
  });
  CHECK(done.ok());
  CHECK(ran ==
        std::vector<std::string>{"outside a transaction", "committed", "in a savepoint released"});
}

TEMPLATE_TEST_CASE("session: a stopped store answers every job with a transient error", "[session]",
                   SqliteBackend, PostgresBackend) {
  TestType backend;
  auto store = backend.open();
  CHECK(store->backend().readiness().ready);
  store->backend().stop(core::Clock::now() + std::chrono::seconds(5));
  auto late = store->run([](Session& s) { return s.agents().get("agt_x"); });
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == "unavailable");
  CHECK(late.error().transient);
  CHECK_FALSE(store->backend().readiness().ready);
}

TEMPLATE_TEST_CASE("session: stop() keeps its deadline, interrupting a statement that runs on",
                   "[session]", SqliteBackend, PostgresBackend) {
  TestType backend;
  auto store = backend.open();
  std::promise<void> started;
  boost::asio::io_context io;
  auto slow = spawn(io, store->backend().run([&](Session& s) {
    started.set_value();
    static_cast<SessionBase&>(s).execute(backend.slow_query());
    return core::Unit{};
  }));
  std::thread loop([&] { io.run(); });
  started.get_future().wait();

  const auto before = core::Clock::now();
  store->backend().stop(before + std::chrono::milliseconds(200));
  CHECK(core::Clock::now() - before < std::chrono::seconds(5));
  loop.join();
  auto outcome = slow.get();
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.error().code == "timeout");
}

TEMPLATE_TEST_CASE("session: reads see what writes committed", "[session]", SqliteBackend,
                   PostgresBackend) {
  TestType backend;
  auto store = backend.open();
  for (int i = 0; i < 20; ++i) {
    const auto agent = test_agent("n");
    create_agent(*store, agent);
    CHECK(exists(*store, agent.id));
  }
}

TEST_CASE("session: SQLite commits the writes queued meanwhile together; one that fails, alone") {
  SqliteBackend backend;
  auto store = backend.open();
  boost::asio::io_context io;
  auto busy = boost::asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });
  // A first job holds the writer, so that the next ones queue behind it.
  std::promise<void> started, release;
  auto hold = spawn(io, store->backend().run([&](Session&) {
    started.set_value();
    release.get_future().wait();
    return core::Unit{};
  }));
  started.get_future().wait();
  std::vector<Agent> agents;
  std::vector<std::future<core::Result<core::Unit>>> writes;
  for (int i = 0; i < 8; ++i)
    agents.push_back(test_agent("g"));
  for (const auto& agent : agents) {
    writes.push_back(spawn(io, store->backend().run([&agent](Session& s) {
      s.agents().create(agent);
      return core::Unit{};
    })));
  }
  const auto refused = test_agent("refused");
  auto failing = spawn(io, store->backend().run([&refused](Session& s) -> core::Unit {
    s.agents().create(refused);
    throw StoreError("test", "this job gives up", false);
  }));
  REQUIRE(sentinel::test::eventually([&] {
    return metric_value(store->metrics(), R"(sentinel_store_queued_jobs{pool="sqlite_writer"})") ==
           9;
  }));
  release.set_value();

  for (auto& write : writes)
    CHECK(write.get().ok());
  const auto failed = failing.get();
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == "test");
  CHECK(hold.get().ok());
  busy.reset();
  loop.join();
  for (const auto& agent : agents)
    CHECK(exists(*store, agent.id));
  CHECK_FALSE(exists(*store, refused.id));  // its savepoint alone was rolled back
  // The nine queued jobs went in one transaction.
  CHECK(metric_value(store->metrics(),
                     R"(sentinel_store_jobs_per_commit_count{pool="sqlite_writer"})") == 1);
  CHECK(metric_value(store->metrics(),
                     R"(sentinel_store_jobs_per_commit_sum{pool="sqlite_writer"})") == 9);
}

TEST_CASE("session: SQLite reader connections refuse to write") {
  SqliteBackend backend;
  auto store = backend.open();
  auto written = store->run(
      [](Session& s) {
        s.agents().create(test_agent("sneaky"));
        return core::Unit{};
      },
      Access::kRead);
  REQUIRE_FALSE(written.ok());
  CHECK_THAT(written.error().message, Catch::Contains("readonly"));
}

TEST_CASE("session: SQLite creates its missing directory, private to its owner") {
  sentinel::test::TempDir dir;
  StoreOptions options;
  options.sqlite_file = dir / "state/deeper/sentineld.db";
  OpenStore store(options);
  const auto permissions = std::filesystem::status(dir / "state/deeper").permissions();
  CHECK(permissions == std::filesystem::perms::owner_all);
  CHECK(std::filesystem::exists(options.sqlite_file));
}
