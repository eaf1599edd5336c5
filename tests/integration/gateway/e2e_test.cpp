// The real agent (`sentineld --role=agent`) enrolling with and pushing through a real gateway
// (`sentineld --role=gateway`, SQLite or PostgreSQL and nats-server), tokens minted by the CLI.

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backends.hpp"
#include "support/component_harness.hpp"
#include "support/http_client.hpp"
#include "support/nats_server.hpp"
#include "support/process.hpp"
#include "support/sentinel_daemon.hpp"
#include "support/tcp_proxy.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using namespace std::chrono_literals;

namespace {

const std::string kMasterKey = "e2e-gateway-master-key-0123456789abcdef";

// A gateway process (`--role=gateway`) with a nats-server of its own, and tokens from the CLI.
class GatewayProcess {
 public:
  GatewayProcess(const test::TempDir& dir, const std::string& store_url)
      : env_{{"SENTINEL_STORE_URL", store_url},
             {"SENTINEL_BUS_URL", nats_.url()},
             {"SENTINEL_MASTER_KEY", kMasterKey},
             {"SENTINEL_DATA_DIR", (dir / "gateway").string()}},
        admin_(test::mint_token({"token", "create", "--role", "admin"}, env_, "stk_")),
        daemon_(dir.path(), "gateway", {"--role=gateway"}, env_) {
    REQUIRE(daemon_.wait_ready());
  }

  // A bootstrap token for one enrolment under `name`.
  std::string bootstrap_token(const std::string& name) const {
    return test::mint_token({"token", "bootstrap", "create", "--ttl", "1h", "--name", name}, env_,
                            "sbt_");
  }
  std::string url() const { return daemon_.url(); }
  std::uint16_t port() const { return daemon_.port(); }

  // GET `target` with the admin token.
  test::HttpReply api(const std::string& target) const {
    return daemon_.client().request("GET", target, {}, {{"Authorization", "Bearer " + admin_}});
  }
  double metric(std::string_view series) const {
    return test::metric_value(api("/metrics").body, series);
  }

 private:
  test::NatsServerProcess nats_;
  std::map<std::string, std::string> env_;
  std::string admin_;
  test::SentinelDaemon daemon_;
};

// `sentineld --role=agent` sending to `gateway_url` and enrolling with `bootstrap_token`.
test::ChildProcess start_agent(const test::TempDir& dir, const std::string& gateway_url,
                               const std::string& bootstrap_token) {
  return test::ChildProcess({{test::sentineld_binary().string(), "--role=agent",
                              "--listen=127.0.0.1:0", "--data-dir=" + (dir / "agent").string()},
                             {{"SENTINEL_AGENT_GATEWAY_URL", gateway_url},
                              {"SENTINEL_AGENT_BOOTSTRAP_TOKEN", bootstrap_token},
                              {"SENTINEL_AGENT_INTERVAL", "1s"},
                              {"SENTINEL_AGENT_HEARTBEAT_INTERVAL", "1s"},
                              {"SENTINEL_AGENT_RETRY_INITIAL", "50ms"},
                              {"SENTINEL_AGENT_RETRY_MAX", "200ms"},
                              {"SENTINEL_MASTER_KEY", "e2e-agent-master-key-0123456789abcdef"}},
                             dir / "agent.log"});
}

bool batches_accepted(const GatewayProcess& gateway, double at_least) {
  return gateway.metric("sentinel_gateway_batches_total{result=\"accepted\"}") >= at_least;
}

// The agent enrols, and its heartbeats and batches arrive.
void run_end_to_end(const test::TempDir& dir, const std::string& store_url) {
  GatewayProcess gateway(dir, store_url);
  auto agent = start_agent(dir, gateway.url(), gateway.bootstrap_token("e2e-01"));
  nlohmann::json agents;
  REQUIRE(test::eventually(
      [&] {
        agents = nlohmann::json::parse(gateway.api("/api/v1/agents").body, nullptr, false);
        return !agents.is_discarded() && agents["agents"].size() == 1 &&
               agents["agents"][0]["facts"]["os"] == "linux";
      },
      60s));
  CHECK(agents["agents"][0]["name"] == "e2e-01");
  CHECK(agents["agents"][0]["status"] == "online");
  REQUIRE(test::eventually([&] { return batches_accepted(gateway, 3); }, 60s));
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

TEST_CASE("e2e: an agent whose enrolment answer was lost enrols on its retry, as the same agent") {
  test::TempDir dir;
  GatewayProcess gateway(dir, "sqlite://" + (dir / "gateway.db").string());
  // The gateway enrols the agent and uses the single-use token up; the answer never arrives.
  test::TcpProxy proxy({gateway.port()});
  proxy.lose_reply("POST /v1/agents/enroll");
  auto agent = start_agent(dir, fmt::format("http://127.0.0.1:{}", proxy.port()),
                           gateway.bootstrap_token("lost-01"));

  REQUIRE(test::eventually([&] { return batches_accepted(gateway, 1); }, 30s));
  CHECK(gateway.metric("sentinel_gateway_enrolments_total{result=\"ok\"}") == 1);
  CHECK(gateway.metric("sentinel_gateway_enrolments_total{result=\"repeated\"}") == 1);
  const auto agents = nlohmann::json::parse(gateway.api("/api/v1/agents").body);
  CHECK(agents["agents"].size() == 1);
}
