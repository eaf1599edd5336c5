// The query API over HTTP: every endpoint with good parameters, and the 400s for bad ones.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sentinel/core/unix_time.hpp"
#include "sentinel/http/server.hpp"
#include "sentinel/store/session.hpp"

#include "support/http_client.hpp"
#include "worker_rig.hpp"

using namespace sentinel;
using namespace sentinel::worker::test;
using nlohmann::json;

namespace {

// An hour of samples of two agents, ending a minute ago, in the store behind the API.
struct Api {
  SqliteStoreDir dir;
  WorkerRig rig{{"http", "query"}, {{"SENTINEL_STORE_URL", dir.url()}}};
  // Whole hours, so that raw data and rollups cover the same buckets.
  std::int64_t start = store::floor_to(core::unix_ms() - 2 * store::k1hMs, store::k1hMs);
  std::int64_t end = start + store::k1hMs;
  std::unique_ptr<sentinel::test::HttpClient> client;

  Api() {
    store::IngestCache cache;
    std::vector<store::IngestBatch> batches;
    std::uint64_t id = 1;
    for (auto t = start; t < end; t += 600'000) {
      batches.push_back(ingest_batch("agt_a", id, t, 60));
      batches.push_back(ingest_batch("agt_b", id, t, 60));
      ++id;
    }
    auto stored = store::test::complete(rig.store().run([&](store::Session& session) {
      auto report = store::ingest_batches(session, cache, batches, end);
      session.transaction([&] { session.samples().refresh_rollups(1'000'000, end); });
      return report;
    }));
    REQUIRE(stored);
    const auto endpoint = rig.harness().get<http::Server>().endpoint();
    client = std::make_unique<sentinel::test::HttpClient>(endpoint.host, endpoint.port);
  }

  json get(const std::string& target, int status = 200) {
    auto reply = client->request("GET", target);
    INFO(target << " -> " << reply.status << " " << reply.body);
    REQUIRE(reply.status == status);
    return json::parse(reply.body);
  }
  std::string seconds(std::int64_t ms) const { return std::to_string(ms / 1000); }
  std::string range() const { return "&from=" + seconds(start) + "&to=" + seconds(end + 1000); }
};

void check_bad(Api& api, const std::string& target, const std::string& mentions) {
  auto body = api.get(target, 400);
  INFO(body.dump());
  CHECK(body["error"]["code"] == "invalid_parameter");
  CHECK(body["error"]["message"].get<std::string>().find(mentions) != std::string::npos);
}

}  // namespace

TEST_CASE("query api: latest returns the agent's CPU and memory", "[query]") {
  Api api;
  auto body = api.get("/api/v1/query/latest?agent=agt_a");
  std::set<std::string> names;
  for (const auto& value : body["values"]) {
    names.insert(value["name"].get<std::string>());
    CHECK(value["time"].get<std::int64_t>() > api.end - 20'000);
  }
  CHECK(names == std::set<std::string>{"cpu_usage_percent", "memory_used_percent"});
  CHECK(
      api.get(
             "/api/v1/query/latest?agent=agt_a&metric=cpu_usage_percent&labels=cpu=total")["values"]
          .size() == 1);
  check_bad(api, "/api/v1/query/latest", "agent");
  check_bad(api, "/api/v1/query/latest?agent=agt_a&labels=novalue", "labels");
}

TEST_CASE("query api: an agent's metrics with last value and last seen", "[query]") {
  Api api;
  auto body = api.get("/api/v1/agents/agt_a/metrics");
  REQUIRE(body["metrics"].size() == 2);
  CHECK(body["metrics"][0]["name"] == "cpu_usage_percent");
  CHECK(body["metrics"][0]["last_seen"].get<std::int64_t>() > api.end - 20'000);
  CHECK(body["metrics"][1]["value"].is_number());
  api.get("/api/v1/agents/agt_nobody/metrics", 404);
}

TEST_CASE("query api: range picks raw, 5m or 1h data by step", "[query]") {
  Api api;
  const std::string base = "/api/v1/query/range?agent=agt_a&metric=cpu_usage_percent" + api.range();
  auto raw = api.get(base + "&step=60s");
  CHECK(raw["resolution"] == "raw");
  REQUIRE(raw["series"].size() == 1);
  std::int64_t raw_count = 0;
  for (const auto& point : raw["series"][0]["points"])
    raw_count += point["count"].get<std::int64_t>();
  CHECK(raw_count == 360);

  auto five = api.get(base + "&step=10m");
  CHECK(five["resolution"] == "5m");
  std::int64_t five_count = 0;
  for (const auto& point : five["series"][0]["points"]) {
    five_count += point["count"].get<std::int64_t>();
    CHECK(point["min"].get<double>() <= point["avg"].get<double>());
    CHECK(point["avg"].get<double>() <= point["max"].get<double>());
  }
  CHECK(five_count == raw_count);
  CHECK(api.get(base + "&step=1h")["resolution"] == "1h");

  check_bad(api, "/api/v1/query/range?agent=agt_a" + api.range() + "&step=60s", "metric");
  check_bad(api, base + "&step=0", "step");
  check_bad(api, base + "&step=1ms", "step");
  check_bad(api,
            "/api/v1/query/range?agent=agt_a&metric=m&step=1s&from=" + api.seconds(api.start) +
                "&to=" + api.seconds(api.start + 86'400'000LL * 30),
            "points");
  check_bad(api, "/api/v1/query/range?agent=agt_a&metric=m&from=yesterday&to=1&step=1m", "from");
  check_bad(api, "/api/v1/query/range?agent=agt_a&metric=m&from=20&to=10&step=1m", "before");
}

TEST_CASE("query api: compare puts several agents side by side", "[query]") {
  Api api;
  auto body = api.get("/api/v1/query/compare?agents=agt_a,agt_b&metric=memory_used_percent" +
                      api.range() + "&step=5m");
  REQUIRE(body["series"].size() == 2);
  CHECK(body["series"][0]["agent_id"] == "agt_a");
  CHECK(body["series"][1]["points"].size() >= 12);
  check_bad(api, "/api/v1/query/compare?agents=agt_a,,agt_b&metric=m" + api.range() + "&step=5m",
            "agents");
}

TEST_CASE("query api: percentiles of the raw samples", "[query]") {
  Api api;
  auto body = api.get(
      "/api/v1/query/percentiles?agent=agt_a&metric=cpu_usage_percent&p=0.5,50,100" + api.range());
  CHECK(body["samples"] == 360);
  const auto& p = body["percentiles"];
  CHECK(p["p0.5"].get<double>() <= p["p50"].get<double>());
  CHECK(p["p50"].get<double>() <= p["p100"].get<double>());
  CHECK(p["p100"].get<double>() == 99);
  check_bad(api, "/api/v1/query/percentiles?agent=agt_a&metric=m&p=101" + api.range(), "p");
}

TEST_CASE("query api: export streams CSV with escaping, or JSON lines, up to a limit", "[query]") {
  Api api;
  auto csv = api.client->request(
      "GET", "/api/v1/export?agent=agt_a&metric=cpu_usage_percent&limit=7" + api.range());
  REQUIRE(csv.status == 200);
  CHECK(csv.header("content-type").starts_with("text/csv"));
  CHECK(csv.body.starts_with("time_ms,agent_id,name,labels,value\r\n"));
  CHECK(csv.body.find(",\"{\"\"cpu\"\":\"\"total\"\"}\",") != std::string::npos);
  CHECK(std::count(csv.body.begin(), csv.body.end(), '\n') == 8);

  auto lines = api.client->request("GET", "/api/v1/export?agent=agt_b&format=jsonl" + api.range());
  REQUIRE(lines.status == 200);
  CHECK(std::count(lines.body.begin(), lines.body.end(), '\n') == 720);
  CHECK(json::parse(lines.body.substr(0, lines.body.find('\n')))["agent_id"] == "agt_b");

  check_bad(api, "/api/v1/export?agent=agt_a&format=xml" + api.range(), "format");
  check_bad(api, "/api/v1/export?agent=agt_a&limit=0" + api.range(), "limit");
}
