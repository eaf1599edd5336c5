// Laptop mode: `sentineld --role=all` with no configuration, in an empty HOME, is a whole
// monitoring system on SQLite and the in-process bus: it enrols its own agent, stores this
// machine's metrics, answers the API with the admin token it printed, takes remote agents, and
// a kill -9 mid-load loses no acknowledged sample and stores none twice.

#include <regex>
#include <signal.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "sentinel/agent/synthetic.hpp"

#include "support/agent_wal.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/sentinel_daemon.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;

namespace {

constexpr auto kStartTimeout = std::chrono::seconds(30);

// One run of `sentineld --role=all` on a home directory that outlives it.
class Laptop {
 public:
  Laptop(const test::TempDir& home, std::map<std::string, std::string> env, std::string run)
      : home_(home),
        daemon_(home.path(), "sentineld-" + run, {"--role=all"}, with_home(home, env)) {
    REQUIRE(daemon_.wait_ready(kStartTimeout));
  }

  test::ChildProcess& process() { return daemon_.process(); }
  std::string url() const { return daemon_.url(); }
  std::filesystem::path data_dir() const { return home_ / "state" / "sentineld"; }

  test::HttpReply get(const std::string& target, const std::string& token) {
    return daemon_.client().request("GET", target, {}, {{"Authorization", "Bearer " + token}});
  }
  test::HttpReply post(const std::string& target, const std::string& body,
                       const std::string& token) {
    return daemon_.client().request(
        "POST", target, body,
        {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  }

  // The first admin token, which the first start prints once.
  std::string admin_token() {
    static const std::regex token(R"(first admin token[^:]*: (stk_[A-Za-z0-9_-]+))");
    std::smatch match;
    std::string log;
    REQUIRE(test::eventually(
        [&] {
          log = daemon_.output();
          return std::regex_search(log, match, token);
        },
        kStartTimeout));
    return match[1];
  }

  // The ids of the agents the API lists.
  std::vector<std::string> agents(const std::string& token) {
    auto reply = get("/api/v1/agents", token);
    std::vector<std::string> ids;
    if (reply.status != 200) return ids;
    const auto listed = nlohmann::json::parse(reply.body);
    for (const auto& agent : listed.at("agents"))
      ids.push_back(agent.at("id").get<std::string>());
    return ids;
  }

 private:
  // The daemon's environment: its own HOME, so the default data directory is inside it.
  static std::map<std::string, std::string> with_home(const test::TempDir& home,
                                                      std::map<std::string, std::string> env) {
    env["HOME"] = home.path().string();
    env["XDG_STATE_HOME"] = (home / "state").string();
    env["SENTINEL_SHUTDOWN_TIMEOUT"] = "10s";
    return env;
  }

  const test::TempDir& home_;
  test::SentinelDaemon daemon_;
};

struct Stored {
  std::int64_t count = 0;
  double sum = 0;
};

// What the embedded database holds of the synthetic metric, read once the process has stopped.
Stored stored_synthetic(const std::filesystem::path& database) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT count(*), coalesce(sum(value), 0) FROM metrics_time "
                             "WHERE name = 'synthetic_value'",
                             -1, &statement, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
  Stored stored{sqlite3_column_int64(statement, 0), sqlite3_column_double(statement, 1)};
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return stored;
}

}  // namespace

TEST_CASE(
    "laptop: --role=all with no configuration monitors this machine and takes a remote agent") {
  test::TempDir home;
  Laptop laptop(home, {}, "first");
  const auto token = laptop.admin_token();

  std::vector<std::string> agents;
  REQUIRE(
      test::eventually([&] { return (agents = laptop.agents(token)).size() == 1; }, kStartTimeout));
  const auto local = agents.front();
  REQUIRE(test::eventually(
      [&] {
        auto reply = laptop.get("/api/v1/query/latest?agent=" + local, token);
        return reply.status == 200 && reply.body.find("cpu_usage_percent") != std::string::npos &&
               reply.body.find("memory_used_percent") != std::string::npos;
      },
      kStartTimeout));
  CHECK(laptop.get("/api/v1/query/latest?agent=" + local, "stk_wrong").status == 401);

  SECTION("a second agent enrols with a bootstrap token and pushes to it") {
    auto minted =
        laptop.post("/api/v1/bootstrap-tokens", R"({"name":"remote","uses":1,"ttl":"10m"})", token);
    REQUIRE(minted.status == 201);
    const auto bootstrap = nlohmann::json::parse(minted.body).at("token").get<std::string>();
    test::TempDir remote_dir;
    test::ChildProcess remote({{test::sentineld_binary().string(), "--role=agent",
                                "--listen=127.0.0.1:0", "--data-dir=" + remote_dir.path().string()},
                               {{"SENTINEL_AGENT_GATEWAY_URL", laptop.url()},
                                {"SENTINEL_AGENT_BOOTSTRAP_TOKEN", bootstrap},
                                {"SENTINEL_AGENT_INTERVAL", "1s"}},
                               remote_dir / "agent.log"});
    REQUIRE(test::eventually([&] { return (agents = laptop.agents(token)).size() == 2; },
                             kStartTimeout));
    const auto other = agents.front() == local ? agents.back() : agents.front();
    CHECK(test::eventually(
        [&] {
          auto reply = laptop.get("/api/v1/query/latest?agent=" + other, token);
          return reply.status == 200 && reply.body.find("memory_used_percent") != std::string::npos;
        },
        kStartTimeout));
  }
}

TEST_CASE(
    "laptop: --role=all killed with -9 mid-load loses no acknowledged sample and stores none "
    "twice") {
  test::TempDir home;
  const std::map<std::string, std::string> synthetic = {
      {"SENTINEL_AGENT_COLLECT_SYNTHETIC_ENABLED", "true"},
      {"SENTINEL_AGENT_COLLECT_SYNTHETIC_RATE", "500"},
      {"SENTINEL_AGENT_COLLECT_SYNTHETIC_SERIES", "20"},
      {"SENTINEL_AGENT_INTERVAL", "1s"}};
  std::filesystem::path wal_dir;
  std::uint64_t acked_before_kill = 0;
  {
    Laptop laptop(home, synthetic, "killed");
    wal_dir = laptop.data_dir() / "agent" / "wal";
    REQUIRE(test::eventually(
        [&] { return (acked_before_kill = test::inspect_wal(wal_dir).acked_tag) >= 1000; },
        kStartTimeout));
    laptop.process().signal(SIGKILL);
    REQUIRE(laptop.process().wait(std::chrono::seconds(10)));
  }
  {
    Laptop laptop(home, synthetic, "restarted");
    REQUIRE(test::eventually(
        [&] { return test::inspect_wal(wal_dir).acked_tag >= acked_before_kill + 1000; },
        kStartTimeout));
    laptop.process().signal(SIGTERM);
    REQUIRE(laptop.process().wait(std::chrono::seconds(20)) == 0);
  }
  test::WalState wal;
  {
    Laptop laptop(home, test::drain_only_env(), "drain");
    REQUIRE(test::eventually(
        [&] { return (wal = test::inspect_wal(wal_dir)).readable && wal.unacked == 0; },
        kStartTimeout));
    laptop.process().signal(SIGTERM);
    REQUIRE(laptop.process().wait(std::chrono::seconds(20)) == 0);
  }

  // Every sample the agent generated is acknowledged now: 1..acked_tag, each stored once.
  const auto stored = stored_synthetic(home / "state" / "sentineld" / "sentineld.db");
  double expected_sum = 0;
  for (std::uint64_t seq = 1; seq <= wal.acked_tag; ++seq)
    expected_sum += agent::synthetic_value(seq);
  CHECK(stored.count == static_cast<std::int64_t>(wal.acked_tag));
  CHECK(stored.sum == expected_sum);
}
