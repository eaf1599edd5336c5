#include <csignal>
#include <fstream>
#include <pwd.h>
#include <set>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "sentinel/agent/synthetic.hpp"
#include "sentinel/http/client.hpp"

#include "agent/wal/wal.hpp"
#include "support/fake_gateway.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using test::FakeGateway;

namespace {

const std::string kMasterKey = "e2e-master-key-0123456789abcdef0123456789";

// `sentineld --role=agent` against a gateway, with fast intervals.
class AgentProcess {
 public:
  AgentProcess(const test::TempDir& dir, const std::string& gateway_url,
               std::map<std::string, std::string> env = {}, const std::string& name = "agent")
      : ready_(dir / (name + ".ready")) {
    env.try_emplace("SENTINEL_AGENT_GATEWAY_URL", gateway_url);
    env.try_emplace("SENTINEL_AGENT_BOOTSTRAP_TOKEN", std::string(FakeGateway::kToken));
    env.try_emplace("SENTINEL_AGENT_INTERVAL", "1s");
    env.try_emplace("SENTINEL_AGENT_HEARTBEAT_INTERVAL", "1s");
    env.try_emplace("SENTINEL_AGENT_RETRY_INITIAL", "50ms");
    env.try_emplace("SENTINEL_AGENT_RETRY_MAX", "200ms");
    env.try_emplace("SENTINEL_MASTER_KEY", kMasterKey);
    process_.emplace(test::ProcessOptions{
        {test::sentineld_binary().string(), "--role=agent", "--listen=127.0.0.1:0",
         "--data-dir=" + (dir / "data").string(), "--ready-file=" + ready_.string()},
        std::move(env),
        dir / (name + ".log")});
  }

  test::ChildProcess& process() { return *process_; }

  // GET `path` on the agent's own HTTP server.
  std::optional<http::ClientResponse> get(const std::string& path) {
    if (!test::eventually([&] { return std::filesystem::exists(ready_); })) return std::nullopt;
    std::string address = test::read_file(ready_);
    address.erase(address.find_last_not_of("\n") + 1);
    boost::asio::io_context io;
    http::Client client(io.get_executor(), *http::parse_url("http://" + address), {});
    std::optional<http::ClientResponse> response;
    http::ClientRequest request;
    request.target = path;
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
          auto result = co_await client.send(request);
          if (result) response = std::move(*result);
        },
        [](std::exception_ptr error) {
          if (error) std::rethrow_exception(error);
        });
    io.run();
    return response;
  }

  // SIGTERM, and the exit code.
  std::optional<int> stop() {
    process_->signal(SIGTERM);
    return process_->wait(15s);
  }

 private:
  std::filesystem::path ready_;
  std::optional<test::ChildProcess> process_;
};

bool has_metric(const v1::Batch& batch, std::string_view name) {
  return std::any_of(batch.metrics().begin(), batch.metrics().end(),
                     [&](const auto& metric) { return metric.name() == name; });
}

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> ids;
  for (auto id = first; id <= last; ++id)
    ids.push_back(id);
  return ids;
}

}  // namespace

TEST_CASE("the agent enrols, pushes signed batches the gateway verifies, and sends heartbeats") {
  test::TempDir dir;
  FakeGateway gateway;
  gateway.start();
  AgentProcess agent(dir, gateway.url());
  REQUIRE(test::eventually([&] { return gateway.accepted_ids().size() >= 3; }, 30s));
  REQUIRE(test::eventually([&] { return gateway.heartbeats().size() >= 2; }, 30s));
  CHECK(gateway.enrolments() == 1);
  CHECK(gateway.bad_signatures() == 0);
  const auto pushes = gateway.pushes();
  const auto& batch = pushes.front().batches.front();
  CHECK(batch.agent_id() == FakeGateway::kAgentId);
  CHECK(has_metric(batch, "cpu_count"));
  CHECK(has_metric(batch, "memory_used_percent"));
  CHECK(has_metric(batch, "load_average"));
  const auto heartbeat = gateway.heartbeats().back();
  CHECK(heartbeat.agent_id() == FakeGateway::kAgentId);
  CHECK(heartbeat.facts().os() == "linux");
  CHECK(heartbeat.facts().memory_percent() > 0);

  auto ready = agent.get("/readyz");
  REQUIRE(ready);
  CHECK(ready->status == 200);
  auto metrics = agent.get("/metrics");
  REQUIRE(metrics);
  CHECK_THAT(metrics->body,
             Catch::Contains("sentinel_agent_batches_acked_total{status=\"accepted\"}"));

  CHECK(agent.stop() == 0);
  test::ChildProcess verify(
      {{test::sentineld_binary().string(), "wal", "verify", (dir / "data/agent/wal").string()},
       {},
       dir / "verify.log"});
  CHECK(verify.wait(30s) == 0);
  CHECK_THAT(test::read_file(dir / "verify.log"), Catch::Contains("OK:"));
}

TEST_CASE("batches wait in the WAL while the gateway sheds load, survive kill -9, drain once") {
  test::TempDir dir;
  FakeGateway gateway;
  std::atomic<bool> open{false};
  gateway.script([&](const FakeGateway::Push&, std::size_t) -> std::optional<http::Response> {
    if (open) return std::nullopt;
    auto busy = http::error_response(503, "unavailable", "JetStream unreachable");
    busy.headers.set("Retry-After", "0");
    return busy;
  });
  gateway.start();
  std::uint64_t written_before_kill = 0;
  {
    AgentProcess first(dir, gateway.url(), {}, "first");
    REQUIRE(test::eventually(
        [&] {
          auto sent = gateway.sent_ids();
          return !sent.empty() && *std::max_element(sent.begin(), sent.end()) >= 3;
        },
        30s));
    first.process().signal(SIGKILL);
    REQUIRE(first.process().wait(10s) == 128 + SIGKILL);
    auto sent = gateway.sent_ids();
    written_before_kill = *std::max_element(sent.begin(), sent.end());
  }
  CHECK(gateway.accepted_ids().empty());
  open = true;
  AgentProcess second(dir, gateway.url(), {}, "second");
  REQUIRE(test::eventually([&] { return gateway.accepted_ids().size() > written_before_kill + 1; },
                           30s));
  CHECK(second.stop() == 0);
  const auto accepted = gateway.accepted_ids();
  CHECK(accepted == range(1, accepted.size()));  // from 1, in order, each once
  CHECK(gateway.enrolments() == 1);              // the identity survived the kill
}

TEST_CASE("synthetic samples are numbered without gaps or repeats across a kill -9") {
  test::TempDir dir;
  FakeGateway gateway;
  gateway.start();
  const std::map<std::string, std::string> synthetic = {
      {"SENTINEL_AGENT_COLLECT_SYNTHETIC_ENABLED", "true"},
      {"SENTINEL_AGENT_COLLECT_SYNTHETIC_RATE", "40"},
      {"SENTINEL_AGENT_MAX_BATCH_METRICS", "15"}};
  {
    AgentProcess first(dir, gateway.url(), synthetic, "first");
    REQUIRE(test::eventually([&] { return gateway.accepted_ids().size() >= 4; }, 30s));
    first.process().signal(SIGKILL);
    REQUIRE(first.process().wait(10s) == 128 + SIGKILL);
  }
  const auto before = gateway.accepted_ids().size();
  AgentProcess second(dir, gateway.url(), synthetic, "second");
  REQUIRE(test::eventually([&] { return gateway.accepted_ids().size() >= before + 4; }, 30s));
  CHECK(second.stop() == 0);

  std::set<std::uint64_t> stored_batches;
  std::vector<std::uint64_t> seqs;
  const auto accepted = gateway.accepted_ids();
  for (const auto& push : gateway.pushes()) {
    for (const auto& batch : push.batches) {
      const bool counted =
          std::find(accepted.begin(), accepted.end(), batch.batch_id()) != accepted.end();
      if (!counted || !stored_batches.insert(batch.batch_id()).second) continue;
      CHECK(batch.seq_start() == batch.metrics(0).seq());
      for (const auto& metric : batch.metrics()) {
        CHECK(metric.double_value() == agent::synthetic_value(metric.seq()));
        seqs.push_back(metric.seq());
      }
    }
  }
  std::sort(seqs.begin(), seqs.end());
  REQUIRE_FALSE(seqs.empty());
  CHECK(seqs == range(1, seqs.size()));
}

TEST_CASE("started as root with agent.user set, the agent runs as that user; otherwise as is") {
  test::TempDir dir;
  // The ready file is written after every component started, so by the unprivileged user.
  std::filesystem::permissions(dir.path(), std::filesystem::perms::all);
  FakeGateway gateway;
  gateway.start();
  AgentProcess agent(dir, gateway.url(), {{"SENTINEL_AGENT_USER", "nobody"}});
  // Batches still reach the WAL and the gateway after the switch: the files were handed over.
  if (!test::eventually([&] { return gateway.accepted_ids().size() >= 2; }, 30s)) {
    FAIL(agent.process().output());
  }
  const uid_t expected = ::geteuid() == 0 ? ::getpwnam("nobody")->pw_uid : ::geteuid();
  std::string uid_line;
  std::istringstream status(test::read_file(fmt::format("/proc/{}/status", agent.process().pid())));
  while (std::getline(status, uid_line) && !uid_line.starts_with("Uid:")) {
  }
  std::istringstream ids(uid_line.substr(4));
  uid_t real = 0, effective = 0, saved = 0;
  ids >> real >> effective >> saved;
  CHECK(real == expected);
  CHECK(effective == expected);
  CHECK(saved == expected);
  CHECK(agent.stop() == 0);
}

TEST_CASE("a wrong master key stops the agent at start with a clear error") {
  test::TempDir dir;
  FakeGateway gateway;
  gateway.start();
  {
    AgentProcess first(dir, gateway.url(), {}, "first");
    // The gateway counts the enrolment before the agent has its answer: a stop in between
    // would leave no identity to misread, so wait for the agent's word that it saved it.
    REQUIRE(test::eventually(
        [&] { return first.process().output().find("enrolled as agent") != std::string::npos; },
        30s));
    CHECK(gateway.enrolments() == 1);
    CHECK(first.stop() == 0);
  }
  AgentProcess second(dir, gateway.url(),
                      {{"SENTINEL_MASTER_KEY", "a-different-master-key-0123456789abcdef"}},
                      "second");
  CHECK(second.process().wait(30s) == 1);
  CHECK_THAT(second.process().output(), Catch::Contains("master_key"));
  CHECK(gateway.enrolments() == 1);
}

TEST_CASE("sentineld wal verify exits non-zero on a damaged WAL") {
  test::TempDir dir;
  {
    auto wal = agent::wal::Wal::open(
        {.dir = dir / "wal"}, core::Logger(std::make_shared<core::LogSink>(core::LogLevel::kError,
                                                                           core::LogFormat::kText),
                                           "test"));
    REQUIRE(wal.ok());
    for (int i = 0; i < 3; ++i)
      REQUIRE((*wal)->append(std::string(100, 'x'), 1000, 0).ok());
  }
  const auto segment = dir / "wal/00000000000000000001.wal";
  {
    std::fstream file(segment, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(8 + 32 + 10);  // inside the first record's payload
    file.put('y');
  }
  auto run = [&](std::string command) {
    test::ChildProcess child(
        {{test::sentineld_binary().string(), "wal", command, (dir / "wal").string()},
         {},
         dir / (command + ".log")});
    return child.wait(30s);
  };
  CHECK(run("verify") == 1);
  CHECK_THAT(test::read_file(dir / "verify.log"), Catch::Contains("DAMAGED"));
  CHECK(run("inspect") == 0);
  CHECK_THAT(test::read_file(dir / "inspect.log"), Catch::Contains("ids 2-3"));
}
