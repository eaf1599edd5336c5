#include "transfer_fixture.hpp"

#include <sstream>

#include "sentinel/store/ingest.hpp"

namespace sentinel::store::test {

IngestBatch transfer_batch(const std::string& agent, std::uint64_t id, std::int64_t first_time) {
  IngestBatch out{{agent, id}, {}};
  for (int i = 0; i < 10; ++i) {
    const auto time = first_time + i * 10'000;
    out.points.push_back({"cpu_usage_percent", {{"cpu", "total"}}, time, 0.5 * i + id});
    out.points.push_back({"load1", {}, time, 0.1 * i});
  }
  return out;
}

void ingest(OpenStore& store, std::vector<IngestBatch> batches) {
  IngestCache cache;
  must(store, [&](Session& s) { return ingest_batches(s, cache, batches, kTransferNow); });
  must(store, [&](Session& s) {
    while (s.samples().refresh_rollups(10'000, kTransferNow).queued > 0) {
    }
    return core::Unit{};
  });
}

std::vector<Agent> seed(OpenStore& store) {
  auto laptop = test_agent("laptop");
  laptop.last_seen = kTransferNow - 5'000;
  laptop.facts_at = kTransferNow - 5'000;
  laptop.facts = {"linux", "6.1", "0.1.0", 12.5, 40.25, 70, 0.5, 0.4, 0.3, 3600, 8, 2, 4096};
  auto remote = test_agent("remote");
  remote.enabled = false;
  create_agent(store, laptop);
  create_agent(store, remote);
  must(store, [&](Session& s) {
    auto& c = s.credentials();
    c.add_key({laptop.id, "key_old", "sealed-old", kTransferNow - 9'000,
               kTransferNow - 1'000});  // expired
    c.add_key(
        {laptop.id, "key_prev", "sealed-prev", kTransferNow - 8'000, kTransferNow + 3'600'000});
    c.add_key({laptop.id, "key_cur", "sealed-cur", kTransferNow - 7'000, std::nullopt});
    c.add_key({remote.id, "key_r", "sealed-r", kTransferNow - 6'000, std::nullopt});
    c.create_bootstrap_token(
        {"bt_1", "edge-1", 2, kTransferNow + 3'600'000, kTransferNow, std::nullopt}, "bh1");
    c.create_api_token(
        {"tok_1", "admin", "admin", std::nullopt, kTransferNow, std::nullopt, kTransferNow}, "ah1");
    c.create_api_token(
        {"tok_2", "ci", "viewer", kTransferNow + 1, kTransferNow, kTransferNow, std::nullopt},
        "ah2");
    s.alerts().put_rule({"rul_1", "cpu", "api", R"({"metric": "cpu_usage_percent"})", true,
                         kTransferNow, kTransferNow});
    s.silences().create({"sil_1",
                         {"agent=\"laptop\""},
                         kTransferNow,
                         kTransferNow + 3'600'000,
                         "maintenance",
                         "alice",
                         kTransferNow});
    s.notifiers().put({"ntf_1", "ops", "slack", R"({"channel": "#ops"})",
                       std::string("\x00\x01\xff sealed", 10), true, 500, 3'600'000, true,
                       kTransferNow, kTransferNow});
    AlertInstanceRow firing;
    firing.fingerprint = "fp_1";
    firing.rule_id = "rul_1";
    firing.rule_name = "cpu";
    firing.agent_id = laptop.id;
    firing.labels = {{"cpu", "total"}};
    firing.severity = "critical";
    firing.state = "firing";
    firing.value = 97.5;
    firing.pending_since = kTransferNow - 60'000;
    firing.firing_since = kTransferNow - 30'000;
    firing.updated_at = kTransferNow;
    s.alerts().put_instance(firing);
    s.alerts().acknowledge("fp_1", "alice", "on it", kTransferNow - 1'000);
    return core::Unit{};
  });
  ingest(store, {transfer_batch(laptop.id, 1, kOldSamples),
                 transfer_batch(laptop.id, 2, kTransferNow - 3'600'000),
                 transfer_batch(remote.id, 7, kTransferNow - 600'000)});
  return {laptop, remote};
}

Snapshot snapshot(OpenStore& store) {
  return must(store, [](Session& s) {
    Snapshot out;
    out.agents = s.agents().list({}, {1000, ""}).agents;
    for (const auto& agent : out.agents) {
      for (auto& key : s.credentials().valid_keys(agent.id, kTransferNow))
        out.keys.push_back(std::move(key));
      for (const auto& series : s.metric_queries().series(agent.id, std::nullopt)) {
        const auto name = series_cache_key(series.agent_id, series.name, series.labels);
        const std::int64_t ids[] = {series.id};
        for (const auto& point :
             s.metric_queries().raw(ids, 0, kTransferNow + kDayMs, std::nullopt, 1'000'000))
          out.samples[name].emplace_back(point.time, point.value);
        for (const auto& b : s.metric_queries().buckets(series.id, Resolution::k5m, 0,
                                                        kTransferNow + kDayMs, k5mMs))
          out.rollups[name].emplace_back(b.start, b.min, b.max, b.count);
      }
    }
    out.bootstrap_tokens = s.credentials().hashed_bootstrap_tokens();
    out.api_tokens = s.credentials().hashed_api_tokens();
    out.rules = s.alerts().list_rules();
    out.silences = s.silences().list(std::nullopt);
    out.notifiers = s.notifiers().list();
    out.instances = s.alerts().list_instances();
    out.batches = s.samples().processed_batches(0, std::nullopt, 1'000'000);
    return out;
  });
}

std::size_t sample_count(const Snapshot& snapshot) {
  std::size_t count = 0;
  for (const auto& [name, points] : snapshot.samples)
    count += points.size();
  return count;
}

std::string export_text(OpenStore& store, std::optional<std::int64_t> since) {
  std::ostringstream out;
  must(store, [&](Session& s) {
    archive::Writer writer(out, {archive::kVersion, "test", "any", kTransferNow, since});
    export_archive(s, writer, {since, kTransferNow});
    writer.finish();
    return core::Unit{};
  });
  return out.str();
}

ImportReport import_text(OpenStore& store, const std::string& text,
                         std::size_t rows_per_transaction) {
  std::istringstream in(text);
  archive::Reader reader(in);
  return must(store, [&](Session& s) {
    return import_archive(s, reader, kTransferNow, rows_per_transaction);
  });
}

}  // namespace sentinel::store::test
