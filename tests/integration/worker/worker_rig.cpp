#include "worker_rig.hpp"

#include <catch2/catch.hpp>

#include "sentinel/bus/bus_component.hpp"
#include "sentinel/http/server.hpp"
#include "sentinel/store/component.hpp"
#include "sentinel/store/session.hpp"
#include "sentinel/worker/query_api.hpp"
#include "sentinel/worker/worker.hpp"

#include "proto/sentinel.pb.h"

namespace sentinel::worker::test {
namespace {

core::ComponentCatalog catalog() {
  core::ComponentCatalog catalog;
  catalog.add<http::Server>();
  catalog.add<store::StoreComponent>();
  catalog.add<bus::BusComponent>();
  catalog.add<Worker>();
  catalog.add<QueryApi>();
  return catalog;
}

std::map<std::string, std::string> with_defaults(std::map<std::string, std::string> environment) {
  environment.try_emplace("SENTINEL_HTTP_LISTEN", "127.0.0.1:0");
  environment.try_emplace("SENTINEL_WORKER_FETCH_WAIT", "100ms");
  environment.try_emplace("SENTINEL_WORKER_NAK_DELAY", "100ms");
  environment.try_emplace("SENTINEL_WORKER_NAK_DELAY_MAX", "500ms");
  environment.try_emplace("SENTINEL_WORKER_INFO_INTERVAL", "200ms");
  return environment;
}

}  // namespace

store::IngestBatch ingest_batch(const std::string& agent, std::uint64_t batch_id,
                                std::int64_t first_time, int points) {
  store::IngestBatch batch{{agent, batch_id}, {}};
  for (int i = 0; i < points; ++i) {
    const double value = static_cast<double>((batch_id * 7 + static_cast<std::uint64_t>(i)) % 100);
    const auto time = first_time + i * 10'000;
    batch.points.push_back({"cpu_usage_percent", {{"cpu", "total"}}, time, value});
    batch.points.push_back({"memory_used_percent", {}, time, value / 2});
  }
  return batch;
}

std::string batch_payload(const std::string& agent, std::uint64_t batch_id, std::int64_t first_time,
                          int points) {
  v1::Batch batch;
  batch.set_agent_id(agent);
  batch.set_batch_id(batch_id);
  batch.set_created_at_ms(first_time);
  for (const auto& point : ingest_batch(agent, batch_id, first_time, points).points) {
    auto* metric = batch.add_metrics();
    metric->set_name(point.name);
    metric->set_type(v1::METRIC_TYPE_GAUGE);
    for (const auto& [name, value] : point.labels) {
      auto* label = metric->add_labels();
      label->set_name(name);
      label->set_value(value);
    }
    metric->set_double_value(point.value);
    metric->set_timestamp_ms(point.time);
  }
  return batch.SerializeAsString();
}

std::string store_url(const store::StoreOptions& options) {
  return options.backend == store::Backend::kPostgres ? options.postgres_url
                                                      : "sqlite://" + options.sqlite_file.string();
}

WorkerRig::WorkerRig(std::vector<std::string> components,
                     std::map<std::string, std::string> environment)
    : catalog_(catalog()),
      harness_(catalog_, std::move(components), with_defaults(std::move(environment))) {}

void WorkerRig::wait_ready() {
  auto& worker = harness_.get<Worker>();
  REQUIRE(sentinel::test::eventually([&] { return worker.readiness().ready; }));
}

store::Store& WorkerRig::store() {
  return harness_.get<store::StoreComponent>().store();
}

bus::Bus& WorkerRig::bus() {
  return harness_.get<bus::BusComponent>().bus();
}

double WorkerRig::metric(std::string_view series) {
  return sentinel::test::metric_value(harness_.metrics(), series);
}

bus::PublishResult WorkerRig::publish(const std::string& subject, const std::string& agent,
                                      std::uint64_t batch_id, std::string payload) {
  bus::OutgoingMessage message{subject, agent + ":" + std::to_string(batch_id), std::move(payload)};
  return store::test::complete(bus().publish(std::move(message)));
}

std::size_t WorkerRig::samples_of(const std::string& agent) {
  auto count = store::test::complete(store().run(
      [&](store::Session& session) {
        std::vector<std::int64_t> ids;
        for (const auto& s : session.metric_queries().series(agent, std::nullopt))
          ids.push_back(s.id);
        return session.metric_queries()
            .raw(ids, 0, std::int64_t{1} << 50, std::nullopt, 10'000'000)
            .size();
      },
      store::Access::kRead));
  REQUIRE(count);
  return *count;
}

std::int64_t WorkerRig::dead_letters() {
  auto count = store::test::complete(
      store().run([&](store::Session& session) { return session.samples().dead_letter_count(); },
                  store::Access::kRead));
  REQUIRE(count);
  return *count;
}

}  // namespace sentinel::worker::test
