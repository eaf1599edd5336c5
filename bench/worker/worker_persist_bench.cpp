// Worker persistence throughput: samples per second from a pre-filled JetStream stream to
// committed rows, against a raw binary COPY of the same samples as naive narrow rows (agent,
// name, labels, time, value) into an unindexed table, in the same run and database.
//
//   worker_persist_bench <postgres-url> <nats-url> [batches] [series] [points]
//
// Prints both rates and the ratio worker / COPY (the target: >= 1.0).
#include <chrono>
#include <cstdio>
#include <future>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <libpq-fe.h>
#include <nlohmann/json.hpp>

#include "sentinel/bus/bus_component.hpp"
#include "sentinel/core/crypto.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/store/component.hpp"
#include "sentinel/worker/worker.hpp"

#include "postgres/copy.hpp"
#include "proto/sentinel.pb.h"
#include "support/component_harness.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using Clock = std::chrono::steady_clock;

namespace {

struct Shape {
  int batches = 2000;
  int series = 100;  // per batch, i.e. per agent
  int points = 5;    // samples per series per batch
  int agents = 20;
  std::int64_t samples() const { return std::int64_t{batches} * series * points; }
};

std::string agent_of(int batch, const Shape& shape) {
  return fmt::format("agt_bench{:03}", batch % shape.agents);
}

// Batch `b`: `series` series of the agent, `points` samples each, 10 s apart.
v1::Batch make_batch(int b, const Shape& shape, std::int64_t start) {
  v1::Batch batch;
  batch.set_agent_id(agent_of(b, shape));
  batch.set_batch_id(static_cast<std::uint64_t>(b / shape.agents + 1));
  const auto first = start + std::int64_t{b / shape.agents} * shape.points * 10'000;
  for (int s = 0; s < shape.series; ++s) {
    for (int p = 0; p < shape.points; ++p) {
      auto* metric = batch.add_metrics();
      metric->set_name(fmt::format("bench_metric_{}", s % 20));
      auto* label = metric->add_labels();
      label->set_name("instance");
      label->set_value(std::to_string(s / 20));
      metric->set_double_value(s * 0.5 + p);
      metric->set_timestamp_ms(first + p * 10'000);
    }
  }
  return batch;
}

template <class T>
T run_on_own_loop(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  std::promise<T> promise;
  auto future = promise.get_future();
  boost::asio::co_spawn(
      io, [&]() -> boost::asio::awaitable<void> { promise.set_value(co_await std::move(task)); },
      boost::asio::detached);
  io.run();
  return future.get();
}

void exec(PGconn* conn, const std::string& sql) {
  PGresult* result = PQexec(conn, sql.c_str());
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    const std::string error = PQresultErrorMessage(result);
    PQclear(result);
    throw std::runtime_error(error);
  }
  PQclear(result);
}

// The reference: the same samples as naive rows, one binary COPY per batch.
double copy_rate(const std::string& url, const Shape& shape, std::int64_t start) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn));
  exec(conn,
       "CREATE TABLE naive_samples (agent_id text, name text, labels jsonb, ts timestamptz,"
       " value double precision)");
  std::vector<std::string> payloads;
  for (int b = 0; b < shape.batches; ++b) {
    const auto batch = make_batch(b, shape, start);
    store::postgres::BinaryCopyWriter writer;
    for (const auto& metric : batch.metrics()) {
      nlohmann::json labels = nlohmann::json::object();
      for (const auto& label : metric.labels())
        labels[label.name()] = label.value();
      writer.begin_row(5);
      writer.text(batch.agent_id());
      writer.text(metric.name());
      writer.jsonb(labels.dump());
      writer.timestamptz(metric.timestamp_ms());
      writer.float8(metric.double_value());
    }
    payloads.push_back(writer.finish());
  }
  const auto started = Clock::now();
  for (const auto& data : payloads) {
    exec(conn, "BEGIN");
    PGresult* copy = PQexec(conn, "COPY naive_samples FROM STDIN (FORMAT binary)");
    PQclear(copy);
    if (PQputCopyData(conn, data.data(), static_cast<int>(data.size())) != 1 ||
        PQputCopyEnd(conn, nullptr) != 1)
      throw std::runtime_error(PQerrorMessage(conn));
    while (PGresult* r = PQgetResult(conn))
      PQclear(r);
    exec(conn, "COMMIT");
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  PQfinish(conn);
  return static_cast<double>(shape.samples()) / seconds;
}

core::ComponentCatalog catalog() {
  core::ComponentCatalog catalog;
  catalog.add<store::StoreComponent>();
  catalog.add<bus::BusComponent>();
  catalog.add<worker::Worker>();
  return catalog;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <postgres-url> <nats-url> [batches] [series] [points]\n",
                 argv[0]);
    return 2;
  }
  Shape shape;
  if (argc > 3) shape.batches = std::stoi(argv[3]);
  if (argc > 4) shape.series = std::stoi(argv[4]);
  if (argc > 5) shape.points = std::stoi(argv[5]);
  const std::string base_url = argv[1];
  const auto tag = core::to_hex(core::random_bytes(4));
  const auto schema = "bench_" + tag;
  const auto url = fmt::format("{}{}options=-csearch_path%3D{}", base_url,
                               base_url.find('?') == std::string::npos ? '?' : '&', schema);
  {
    PGconn* admin = PQconnectdb(base_url.c_str());
    exec(admin, "CREATE SCHEMA " + schema);
    PQfinish(admin);
  }
  const auto start =
      core::unix_ms() - std::int64_t{shape.batches / shape.agents + 1} * shape.points * 10'000;
  const std::map<std::string, std::string> environment = {
      {"SENTINEL_STORE_URL", url},
      {"SENTINEL_BUS_URL", argv[2]},
      {"SENTINEL_BUS_STREAM_NAME", "BENCH_" + tag},
      {"SENTINEL_BUS_STREAM_SUBJECTS", "bench" + tag + ".>"},
      {"SENTINEL_WORKER_SUBJECT", "bench" + tag + ".>"},
      {"SENTINEL_WORKER_DURABLE", "bench-ingest"},
      {"SENTINEL_WORKER_FETCH_BATCH", "64"},
      {"SENTINEL_WORKER_FETCHES_IN_FLIGHT", "3"},
      {"SENTINEL_WORKER_MAINTENANCE_INTERVAL", "1h"}};
  const auto kinds = catalog();

  // Pre-fill the stream.
  {
    test::ComponentHarness publisher(kinds, {"bus"}, environment);
    auto& component = publisher.get<bus::BusComponent>();
    auto& bus = component.bus();
    // The stream exists once the bus is ready.
    if (!test::eventually([&] { return component.readiness().ready; }, std::chrono::seconds(30))) {
      std::fprintf(stderr, "the bus did not become ready\n");
      return 1;
    }
    for (int b = 0; b < shape.batches; ++b) {
      const auto batch = make_batch(b, shape, start);
      bus::OutgoingMessage message{fmt::format("bench{}.{}", tag, batch.agent_id()),
                                   fmt::format("{}:{}", batch.agent_id(), batch.batch_id()),
                                   batch.SerializeAsString()};
      auto result = run_on_own_loop(bus.publish(std::move(message)));
      if (result.status != bus::PublishStatus::kAccepted) {
        std::fprintf(stderr, "publish failed: %s\n", result.detail.c_str());
        return 1;
      }
    }
  }

  // The worker, from start to the last ack (the schema is migrated before the clock starts).
  double worker_rate = 0;
  { test::ComponentHarness migrate(kinds, {"store"}, environment); }
  {
    test::ComponentHarness worker(kinds, {"worker"}, environment, 4);
    // The clock starts once the consumer is bound: connecting is not persistence.
    auto& component = worker.get<worker::Worker>();
    if (!test::eventually([&] { return component.readiness().ready; }, std::chrono::seconds(30))) {
      std::fprintf(stderr, "the worker did not bind its consumer\n");
      return 1;
    }
    const auto started = Clock::now();
    const bool done = test::eventually(
        [&] {
          return test::metric_value(worker.metrics(),
                                    "sentinel_worker_messages_total{result=\"acked\"}") >=
                 shape.batches;
        },
        std::chrono::minutes(10));
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (!done) {
      std::fprintf(stderr, "the worker did not finish in 10 minutes\n");
      return 1;
    }
    worker_rate = static_cast<double>(shape.samples()) / seconds;
    const auto& metrics = worker.metrics();
    const auto transactions =
        test::metric_value(metrics, "sentinel_worker_transaction_duration_seconds_count");
    std::printf(
        "worker: %.0f transactions, %.1f ms each on average\n", transactions,
        1000 * test::metric_value(metrics, "sentinel_worker_transaction_duration_seconds_sum") /
            transactions);
  }
  const double reference = copy_rate(url, shape, start);
  {
    PGconn* admin = PQconnectdb(base_url.c_str());
    exec(admin, "SET client_min_messages = warning");
    exec(admin, "DROP SCHEMA " + schema + " CASCADE");
    PQfinish(admin);
  }
  std::printf("samples: %lld in %d batches (%d series x %d points)\n",
              static_cast<long long>(shape.samples()), shape.batches, shape.series, shape.points);
  std::printf("worker (stream -> committed, series + rollup queue + batch keys): %.0f samples/s\n",
              worker_rate);
  std::printf("reference (binary COPY of naive rows, unindexed table):         %.0f samples/s\n",
              reference);
  std::printf("ratio worker / reference: %.2f\n", worker_rate / reference);
  return 0;
}
