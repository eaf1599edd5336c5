// The real agent (`sentineld --role=agent`) enrolling with and pushing through a real gateway
// (`sentineld --role=gateway`, SQLite or PostgreSQL and nats-server), tokens minted by the CLI.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "backends.hpp"
#include "support/http_client.hpp"
#include "support/nats_server.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using namespace std::chrono_literals;

namespace {

const std::string kMasterKey = "e2e-gateway-master-key-0123456789abcdef";

std::string address_in(const std::filesystem::path& ready) {
  REQUIRE(test::eventually([&] { return std::filesystem::exists(ready); }, 30s));
  auto address = test::read_file(ready);
  address.erase(address.find_last_not_of('\n') + 1);
  return address;
}

// Tokens from the CLI, a gateway process and an agent process; the agent enrols, and its
// heartbeats and batches arrive.
void run_end_to_end(const test::TempDir& dir, const std::string& store_url) {
  test::NatsServerProcess nats;
  const std::map<std::string, std::string> gateway_env{
      {"SENTINEL_STORE_URL", store_url},
      {"SENTINEL_BUS_URL", nats.url()},
      {"SENTINEL_MASTER_KEY", kMasterKey},
      {"SENTINEL_DATA_DIR", (dir / "gateway").string()}};
  const auto admin = test::mint_token({"token", "create", "--role", "admin"}, gateway_env, "stk_");
  const auto bootstrap = test::mint_token(
      {"token", "bootstrap", "create", "--ttl", "1h", "--name", "e2e-01"}, gateway_env, "sbt_");

  test::ChildProcess gateway(
      {{test::sentineld_binary().string(), "--role=gateway", "--listen=127.0.0.1:0",
        "--ready-file=" + (dir / "gw.ready").string()},
       gateway_env,
       dir / "gateway.log"});
  const auto address = address_in(dir / "gw.ready");
  test::ChildProcess agent({{test::sentineld_binary().string(), "--role=agent",
                             "--listen=127.0.0.1:0", "--data-dir=" + (dir / "agent").string()},
                            {{"SENTINEL_AGENT_GATEWAY_URL", "http://" + address},
                             {"SENTINEL_AGENT_BOOTSTRAP_TOKEN", bootstrap},
                             {"SENTINEL_AGENT_INTERVAL", "1s"},
                             {"SENTINEL_AGENT_HEARTBEAT_INTERVAL", "1s"},
                             {"SENTINEL_MASTER_KEY", "e2e-agent-master-key-0123456789abcdef"}},
                            dir / "agent.log"});

  const auto [host, port] = test::split_host_port(address);
  auto api = [&, host = host, port = port](const std::string& target) {
    test::HttpClient client(host, port);
    return client.request("GET", target, {}, {{"Authorization", "Bearer " + admin}});
  };
  nlohmann::json agents;
  REQUIRE(test::eventually(
      [&] {
        agents = nlohmann::json::parse(api("/api/v1/agents").body, nullptr, false);
        return !agents.is_discarded() && agents["agents"].size() == 1 &&
               agents["agents"][0]["facts"]["os"] == "linux";
      },
      60s));
  CHECK(agents["agents"][0]["name"] == "e2e-01");
  CHECK(agents["agents"][0]["status"] == "online");
  REQUIRE(test::eventually(
      [&] {
        const auto metrics = api("/metrics").body;
        const std::string series = "sentinel_gateway_batches_total{result=\"accepted\"} ";
        const auto at = metrics.find(series);
        return at != std::string::npos && std::stod(metrics.substr(at + series.size())) >= 3;
      },
      60s));
}

}  // namespace

TEST_CASE("e2e: agent and gateway processes, SQLite store, JetStream bus") {
  test::TempDir dir;
  run_end_to_end(dir, "sqlite://" + (dir / "gateway.db").string());
}

TEST_CASE("e2e: agent and gateway processes, PostgreSQL store, JetStream bus") {
  test::TempDir dir;
  store::test::PostgresBackend schema;
  run_end_to_end(dir, schema.options().postgres_url);
}
