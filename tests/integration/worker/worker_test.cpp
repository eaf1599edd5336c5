// The worker end to end: bus message -> decode -> one transaction -> ack, with redelivery,
// poison messages, database outages, shared consumers and the leader's duties.
#include <algorithm>
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "sentinel/bus/bus_component.hpp"
#include "sentinel/core/crypto.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/store/component.hpp"
#include "sentinel/store/session.hpp"

#include "sqlite/database.hpp"
#include "support/nats_server.hpp"
#include "support/postgres_cluster.hpp"
#include "support/tcp_proxy.hpp"
#include "support/temp_dir.hpp"
#include "worker_rig.hpp"

using namespace sentinel;
using namespace sentinel::worker::test;
using sentinel::test::eventually;

namespace {

using namespace std::chrono_literals;

// The in-process bus and a SQLite file: laptop mode.
struct LaptopWorker {
  SqliteStoreDir dir;
  WorkerRig rig{
      {"worker"},
      {{"SENTINEL_STORE_URL", dir.url()}, {"SENTINEL_WORKER_MAINTENANCE_INTERVAL", "100ms"}}};
  LaptopWorker() { rig.wait_ready(); }
};

const std::string kAgent = "agt_worker1";

}  // namespace

TEST_CASE("worker: a published batch is stored, then acked", "[worker]") {
  LaptopWorker w;
  const auto t = core::unix_ms() - 60'000;
  // In process, the publish is accepted only once the worker has acked it, i.e. committed it.
  auto result =
      w.rig.publish(bus::metrics_subject(kAgent), kAgent, 1, batch_payload(kAgent, 1, t, 3));
  REQUIRE(result.status == bus::PublishStatus::kAccepted);
  CHECK(w.rig.samples_of(kAgent) == 6);
  CHECK(w.rig.metric("sentinel_worker_messages_total{result=\"acked\"}") == 1);
  CHECK(w.rig.metric("sentinel_worker_samples_written_total") == 6);
  CHECK(w.rig.metric("sentinel_worker_series_cache_lookups_total{result=\"miss\"}") == 6);
}

TEST_CASE("worker: a batch redelivered after its commit is stored once", "[worker]") {
  LaptopWorker w;
  const auto t = core::unix_ms() - 60'000;
  // A worker that committed batch 1 and died before its ack: the store has it, the bus
  // delivers it again.
  store::IngestCache cache;
  std::vector<store::IngestBatch> committed{ingest_batch(kAgent, 1, t, 3)};
  auto first = store::test::complete(w.rig.store().run([&](store::Session& session) {
    return store::ingest_batches(session, cache, committed, core::unix_ms());
  }));
  REQUIRE(first);
  REQUIRE(first->samples == 6);

  auto again =
      w.rig.publish(bus::metrics_subject(kAgent), kAgent, 1, batch_payload(kAgent, 1, t, 3));
  REQUIRE(again.status == bus::PublishStatus::kAccepted);
  CHECK(w.rig.samples_of(kAgent) == 6);
  CHECK(w.rig.metric("sentinel_worker_duplicate_batches_total") == 1);
  CHECK(w.rig.metric("sentinel_worker_messages_total{result=\"acked\"}") == 1);
}

TEST_CASE("worker: a poison message is dead-lettered and the rest flow", "[worker]") {
  LaptopWorker w;
  const auto t = core::unix_ms() - 60'000;
  auto poison = w.rig.publish(bus::metrics_subject(kAgent), kAgent, 7, "\xff\x01not protobuf");
  // Terminated after its dead-letter row is committed: the in-process bus answers the publish
  // once the consumer has settled it.
  CHECK(poison.status != bus::PublishStatus::kDuplicate);
  auto wrong_agent =
      w.rig.publish(bus::metrics_subject("agt_other"), kAgent, 8, batch_payload(kAgent, 8, t, 1));
  (void)wrong_agent;
  auto good =
      w.rig.publish(bus::metrics_subject(kAgent), kAgent, 9, batch_payload(kAgent, 9, t, 2));
  REQUIRE(good.status == bus::PublishStatus::kAccepted);
  REQUIRE(eventually([&] { return w.rig.dead_letters() == 2; }));
  CHECK(w.rig.samples_of(kAgent) == 4);
  CHECK(w.rig.metric("sentinel_worker_messages_total{result=\"dead_lettered\"}") == 2);
}

TEST_CASE("worker: the leader keeps the rollups up to date", "[worker]") {
  LaptopWorker w;
  const auto t = core::unix_ms() - 60'000;
  REQUIRE(w.rig.publish(bus::metrics_subject(kAgent), kAgent, 1, batch_payload(kAgent, 1, t, 3))
              .status == bus::PublishStatus::kAccepted);
  REQUIRE(eventually([&] { return w.rig.metric("sentinel_worker_leader") == 1; }));
  auto rolled_up = [&] {
    auto buckets = store::test::complete(w.rig.store().run(
        [&](store::Session& session) {
          std::int64_t count = 0;
          for (const auto& s : session.metric_queries().series(kAgent, "cpu_usage_percent")) {
            for (const auto& b : session.metric_queries().buckets(
                     s.id, store::Resolution::k5m, 0, std::int64_t{1} << 50, store::k5mMs))
              count += b.count;
          }
          return count;
        },
        store::Access::kRead));
    return buckets && *buckets == 3;
  };
  CHECK(eventually(rolled_up));
}

TEST_CASE("worker: stops within its deadline while idle", "[worker]") {
  LaptopWorker w;
  REQUIRE(eventually([&] { return w.rig.harness().components().readiness().size() > 0; }));
  const auto started = std::chrono::steady_clock::now();
  CHECK(w.rig.harness().stop(5s));
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

namespace {

std::string unique_hex() {
  return core::to_hex(core::random_bytes(4));
}

// The stream of a test's own on a nats-server, and a PostgreSQL schema of its own.
struct NatsSettings {
  explicit NatsSettings(const std::string& url)
      : stream("W" + unique_hex()), prefix("tw" + unique_hex()) {
    environment = {{"SENTINEL_BUS_URL", url},
                   {"SENTINEL_BUS_STREAM_NAME", stream},
                   {"SENTINEL_BUS_STREAM_SUBJECTS", prefix + ".>"},
                   {"SENTINEL_WORKER_SUBJECT", prefix + ".>"},
                   {"SENTINEL_WORKER_ACK_WAIT", "2s"},
                   {"SENTINEL_WORKER_MAX_DELIVER", "100"}};
  }
  std::string subject(const std::string& agent) const { return prefix + "." + agent; }

  std::string stream;
  std::string prefix;
  std::map<std::string, std::string> environment;
};

// A nats-server and a PostgreSQL schema of the test's own, for tests that stop or hold the server.
struct OwnServices {
  store::test::PostgresBackend db;
  sentinel::test::NatsServerProcess server;
  NatsSettings nats{server.url()};

  std::map<std::string, std::string> environment() const {
    auto environment = nats.environment;
    environment["SENTINEL_STORE_URL"] = store_url(db.options());
    return environment;
  }
};

std::string shared_nats() {
  const char* url = std::getenv("SENTINEL_TEST_NATS_URL");
  if (url == nullptr || *url == '\0')
    FAIL("SENTINEL_TEST_NATS_URL is not set (scripts/services.sh)");
  return url;
}

}  // namespace

TEST_CASE("worker: two workers share the consumer and store each batch once", "[worker][nats]") {
  store::test::PostgresBackend db;
  NatsSettings nats(shared_nats());
  auto environment = nats.environment;
  environment["SENTINEL_STORE_URL"] = store_url(db.options());
  environment["SENTINEL_WORKER_FETCH_BATCH"] = "8";
  WorkerRig a({"worker"}, environment);
  WorkerRig b({"worker"}, environment);
  a.wait_ready();
  b.wait_ready();
  const auto t = core::unix_ms() - 60'000;
  constexpr int kBatches = 200;
  for (int i = 1; i <= kBatches; ++i) {
    const auto id = static_cast<std::uint64_t>(i);
    // Half of them published twice with new message ids, as a resending gateway would after
    // JetStream's duplicate window: the store's batch keys catch them.
    REQUIRE(a.publish(nats.subject(kAgent), kAgent, id, batch_payload(kAgent, id, t, 2)).status ==
            bus::PublishStatus::kAccepted);
    if (i % 2 == 0) {
      bus::OutgoingMessage again{nats.subject(kAgent), kAgent + ":" + std::to_string(id) + ":again",
                                 batch_payload(kAgent, id, t, 2)};
      REQUIRE(store::test::complete(b.bus().publish(std::move(again))).status ==
              bus::PublishStatus::kAccepted);
    }
  }
  auto acked = [&] {
    return a.metric("sentinel_worker_messages_total{result=\"acked\"}") +
           b.metric("sentinel_worker_messages_total{result=\"acked\"}");
  };
  REQUIRE(eventually([&] { return acked() == kBatches * 3 / 2; }, 60s));
  CHECK(a.samples_of(kAgent) == kBatches * 2 * 2);
  CHECK(a.metric("sentinel_worker_messages_total{result=\"acked\"}") > 0);
  CHECK(b.metric("sentinel_worker_messages_total{result=\"acked\"}") > 0);
  CHECK(a.metric("sentinel_worker_duplicate_batches_total") +
            b.metric("sentinel_worker_duplicate_batches_total") ==
        kBatches / 2);

  // One of them leads, and has created the partitions of the next days.
  CHECK(a.metric("sentinel_worker_leader") + b.metric("sentinel_worker_leader") == 1);
  const auto today = core::unix_ms() / store::kDayMs;
  CHECK(eventually([&] {
    auto days = store::test::complete(
        a.store().run([](store::Session& s) { return s.samples().stored_days(); }));
    return days && std::find(days->begin(), days->end(), today + 3) != days->end();
  }));
}

TEST_CASE(
    "worker: a batch the store refuses is dead-lettered alone; the rest of its group is stored",
    "[worker][nats]") {
  // A store error that no redelivery can fix, for one batch of a fetched group: a trigger
  // refuses the samples of one time. The three batches wait in the stream before the worker
  // starts, so that one fetch takes them together.
  SqliteStoreDir dir;
  NatsSettings nats(shared_nats());
  auto environment = nats.environment;
  environment["SENTINEL_STORE_URL"] = dir.url();
  environment["SENTINEL_WORKER_MAX_DELIVER"] = "2";
  environment["SENTINEL_WORKER_FETCHES_IN_FLIGHT"] = "1";
  const auto t = core::unix_ms() - 60'000;
  const auto refused = t - 30'000;
  {
    WorkerRig publisher({"store", "bus"}, environment);
    REQUIRE(
        eventually([&] { return publisher.harness().get<bus::BusComponent>().readiness().ready; }));
    store::sqlite::Database(store::sqlite::SqliteSettings{.file = dir.file()})
        .execute(fmt::format("CREATE TRIGGER refuse BEFORE INSERT ON samples_recent"
                             " WHEN NEW.ts = {} BEGIN SELECT RAISE(ABORT, 'refused'); END",
                             refused));
    for (std::uint64_t id : {1, 2, 3}) {
      REQUIRE(publisher
                  .publish(nats.subject(kAgent), kAgent, id,
                           batch_payload(kAgent, id, id == 2 ? refused : t, 2))
                  .status == bus::PublishStatus::kAccepted);
    }
  }
  WorkerRig rig({"worker"}, environment);
  rig.wait_ready();
  REQUIRE(eventually([&] { return rig.dead_letters() == 1; }, 30s));
  CHECK(rig.samples_of(kAgent) == 8);
  CHECK(rig.metric("sentinel_worker_messages_total{result=\"acked\"}") == 2);
  CHECK(rig.metric("sentinel_worker_messages_total{result=\"dead_lettered\"}") == 1);
}

TEST_CASE("worker: nothing is acked while PostgreSQL is down; all is stored once it is back",
          "[worker][nats]") {
  sentinel::test::PostgresCluster cluster;
  NatsSettings nats(shared_nats());
  auto environment = nats.environment;
  environment["SENTINEL_STORE_URL"] = cluster.url();
  environment["SENTINEL_STORE_CONNECT_TIMEOUT"] = "1s";
  WorkerRig rig({"worker"}, environment);
  rig.wait_ready();
  const auto t = core::unix_ms() - 60'000;
  REQUIRE(rig.publish(nats.subject(kAgent), kAgent, 1, batch_payload(kAgent, 1, t, 2)).status ==
          bus::PublishStatus::kAccepted);
  REQUIRE(eventually([&] { return rig.samples_of(kAgent) == 4; }));

  cluster.stop();
  for (std::uint64_t id = 2; id <= 5; ++id) {
    REQUIRE(rig.publish(nats.subject(kAgent), kAgent, id, batch_payload(kAgent, id, t, 2)).status ==
            bus::PublishStatus::kAccepted);
  }
  REQUIRE(eventually(
      [&] { return rig.metric("sentinel_worker_messages_total{result=\"naked\"}") >= 4; }, 20s));
  CHECK(rig.metric("sentinel_worker_messages_total{result=\"acked\"}") == 1);

  cluster.start();
  CHECK(eventually(
      [&] { return rig.metric("sentinel_worker_messages_total{result=\"acked\"}") == 5; }, 60s));
  CHECK(rig.samples_of(kAgent) == 5 * 4);
  CHECK(rig.dead_letters() == 0);
}

// A crash of nats-server (SIGKILL) may lose acks the server had not yet written: those batches,
// committed already, come again and must be stored once; the consumer resumes after the rest.
TEST_CASE("worker: after a nats-server crash the consumer resumes; redeliveries are stored once",
          "[worker][nats]") {
  OwnServices own;
  auto& server = own.server;
  const auto& nats = own.nats;
  WorkerRig rig({"worker"}, own.environment());
  rig.wait_ready();
  const auto t = core::unix_ms() - 60'000;
  auto publish = [&](std::uint64_t id) {
    return rig.publish(nats.subject(kAgent), kAgent, id, batch_payload(kAgent, id, t, 1)).status;
  };
  for (std::uint64_t id = 1; id <= 3; ++id)
    REQUIRE(publish(id) == bus::PublishStatus::kAccepted);
  REQUIRE(eventually([&] { return rig.samples_of(kAgent) == 6; }));

  server.kill();
  server.start();
  // Publishing works again once the bus has reconnected.
  REQUIRE(eventually(
      [&] {
        // A retry of an attempt that was stored but not answered is a duplicate: stored too.
        return publish(4) != bus::PublishStatus::kUnavailable;
      },
      30s));
  REQUIRE(publish(5) == bus::PublishStatus::kAccepted);
  CHECK(eventually([&] { return rig.samples_of(kAgent) == 10; }, 30s));
  const auto acked = rig.metric("sentinel_worker_messages_total{result=\"acked\"}");
  CHECK(acked >= 5);
  CHECK(rig.metric("sentinel_worker_duplicate_batches_total") == acked - 5);
  CHECK(rig.samples_of(kAgent) == 10);
}

TEST_CASE("worker: stopped while it binds its consumer, it starts no fetch loop",
          "[worker][nats]") {
  // The binding may complete after stop() has begun; a fetch loop it started then would outlive
  // the worker's wait for its loops, and the worker would be destroyed under it.
  OwnServices own;
  auto environment = own.environment();
  {
    // The stream and the consumer exist before: the binding then takes one request.
    WorkerRig first({"worker"}, environment);
    first.wait_ready();
  }
  sentinel::test::TcpProxy proxy({own.server.port()});
  proxy.hold_replies_after("$JS.API.CONSUMER.");
  environment["SENTINEL_BUS_URL"] = fmt::format("nats://127.0.0.1:{}", proxy.port());
  WorkerRig rig({"worker"}, environment);
  REQUIRE(eventually([&] { return proxy.holding(); }));

  const auto logged = [&](std::string_view text) {
    const auto lines = rig.harness().log_lines();
    return std::any_of(lines.begin(), lines.end(),
                       [&](const auto& line) { return line.find(text) != line.npos; });
  };
  bool in_time = false;
  std::thread stopper([&] { in_time = rig.harness().stop(); });
  REQUIRE(eventually([&] { return logged("stopping: the consumer binding"); }));
  proxy.release();
  stopper.join();
  CHECK(in_time);
  CHECK_FALSE(logged("consuming as"));
}
