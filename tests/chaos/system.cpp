#include "system.hpp"

#include <csignal>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sentinel::chaos {
namespace {

using namespace std::chrono_literals;

constexpr auto kStartTimeout = 60s;
// One key for every process: the agents seal their identities with it and the gateways the
// agents' keys, and any gateway must open what another one enrolled.
const std::string kMasterKey = "chaos-suite-master-key-0123456789abcdef";

// nats-server or PostgreSQL as a Component.
template <typename Server>
class ServerAdapter : public Component {
 public:
  ServerAdapter(std::string name, Server& server) : name_(std::move(name)), server_(server) {}
  const std::string& name() const override { return name_; }
  void pause() override { server_.pause(); }
  void resume() override { server_.resume(); }
  bool revive() override { return false; }

 protected:
  std::string name_;
  Server& server_;
};

class NatsAdapter : public ServerAdapter<test::NatsServerProcess> {
 public:
  using ServerAdapter::ServerAdapter;
  void kill() override { server_.kill(); }
  void start() override { server_.start(); }
  bool revive() override {
    if (server_.running()) return false;
    fmt::print("  supervisor: {} had ended, starting it again\n", name_);
    server_.start();
    return true;
  }
};

class PostgresAdapter : public ServerAdapter<test::PostgresCluster> {
 public:
  using ServerAdapter::ServerAdapter;
  void kill() override { server_.crash(); }
  void start() override { server_.start(); }
};

// A rule on the synthetic values (uniform below 1000003) that fires and resolves every few
// seconds per series, so that the alerting leader has transitions to record while leadership
// moves with the kills.
constexpr std::string_view kRules = R"(rules:
  - name: ChaosSyntheticHigh
    metric: synthetic_value
    aggregation: max
    window: 5s
    op: ">"
    threshold: 970000
    for: 1s
    severity: warning
    notifiers: [chaos-webhook]
    annotations:
      summary: "synthetic {{ $labels.series }} high on {{ $agent_name }}"
)";

// Waits until each daemon of `group` says it is ready (/readyz: an agent once enrolled, a
// server once it reaches its store and bus); throws with the log of one that ended instead.
void wait_ready(const std::vector<std::unique_ptr<Daemon>>& group) {
  for (const auto& daemon : group) {
    const auto ready = [&] { return daemon->ready() && daemon->reports_ready(); };
    if (!test::eventually([&] { return ready() || !daemon->running(); }, kStartTimeout) ||
        !ready()) {
      throw std::runtime_error(fmt::format("{} did not start:\n{}", daemon->name(),
                                           test::read_file(daemon->dir() / "log")));
    }
  }
}

}  // namespace

Daemon::Daemon(std::string name, std::vector<std::string> args,
               std::map<std::string, std::string> env, std::filesystem::path dir)
    : name_(std::move(name)), args_(std::move(args)), env_(std::move(env)), dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  args_.insert(args_.begin(), test::sentineld_binary().string());
  args_.push_back("--data-dir=" + (dir_ / "data").string());
  args_.push_back("--ready-file=" + (dir_ / "ready").string());
  start();
}

void Daemon::start() {
  std::filesystem::remove(dir_ / "ready");
  process_ = std::make_unique<test::ChildProcess>(test::ProcessOptions{args_, env_, dir_ / "log"});
  down_ = false;
}

void Daemon::kill() {
  down_ = true;
  process_->signal(SIGKILL);
  process_->wait(10s);
}

void Daemon::pause() {
  process_->signal(SIGSTOP);
}

void Daemon::resume() {
  process_->signal(SIGCONT);
}

bool Daemon::revive() {
  if (down_ || running()) return false;
  fmt::print("  supervisor: {} had ended (status {}), starting it again\n", name_,
             process_->wait(0ms).value_or(-1));
  start();
  return true;
}

bool Daemon::stop() {
  down_ = true;
  process_->signal(SIGTERM);
  return process_->wait(60s) == 0;
}

bool Daemon::ready() const {
  return std::filesystem::exists(dir_ / "ready");
}

std::string Daemon::address() const {
  const auto text = test::read_file(dir_ / "ready");
  return text.substr(0, text.find('\n'));
}

bool Daemon::reports_ready() const {
  return get("/readyz").status == 200;
}

std::string Daemon::metrics() const {
  return get("/metrics").body;
}

test::HttpReply Daemon::get(const std::string& target) const {
  if (!ready()) return {};
  try {
    const auto [host, port] = test::split_host_port(address());
    test::HttpClient client(host, port, {}, 2s);
    return client.request("GET", target);
  } catch (const std::exception&) {
    return {};
  }
}

ChaosSystem::ChaosSystem(const SystemOptions& options)
    : rules_file_(dir_.write("rules.yml", kRules)) {
  adapters_.push_back(std::make_unique<PostgresAdapter>("postgres", postgres_));
  adapters_.push_back(std::make_unique<NatsAdapter>("nats", nats_));
  // Gateways listen on ports of their own, the same after every restart, behind the proxy.
  std::vector<std::uint16_t> gateway_ports;
  for (int number = 1; number <= 2; ++number) {
    gateway_ports.push_back(test::free_port());
    gateways_.push_back(server("gateway", number, gateway_ports.back()));
  }
  for (int number = 1; number <= 2; ++number)
    workers_.push_back(server("worker", number, 0));
  proxy_ = std::make_unique<test::TcpProxy>(gateway_ports);
  for (const auto* group : {&gateways_, &workers_})
    wait_ready(*group);
  add_notifier();

  std::map<std::string, std::string> agent_env = {
      {"SENTINEL_MASTER_KEY", kMasterKey},
      {"SENTINEL_AGENT_GATEWAY_URL", fmt::format("http://127.0.0.1:{}", proxy_->port())},
      {"SENTINEL_AGENT_INTERVAL", "1s"},
      {"SENTINEL_AGENT_COLLECT_SYNTHETIC_ENABLED", "true"},
      {"SENTINEL_AGENT_COLLECT_SYNTHETIC_RATE", fmt::format("{}", options.rate)},
      {"SENTINEL_AGENT_COLLECT_SYNTHETIC_SERIES", std::to_string(options.series)},
      // Short timeouts and backoff, so that a run's faults are over in seconds, not minutes.
      {"SENTINEL_AGENT_CONNECT_TIMEOUT", "2s"},
      {"SENTINEL_AGENT_REQUEST_TIMEOUT", "5s"},
      {"SENTINEL_AGENT_RETRY_MAX", "2s"},
      {"SENTINEL_SHUTDOWN_TIMEOUT", "10s"}};
  for (int number = 1; number <= options.agents; ++number) {
    const auto name = fmt::format("agent-{}", number);
    auto env = agent_env;
    env["SENTINEL_AGENT_BOOTSTRAP_TOKEN"] = bootstrap_token(name);
    agents_.push_back(std::make_unique<Daemon>(
        name, std::vector<std::string>{"--role=agent", "--listen=127.0.0.1:0"}, env, dir_ / name));
  }
  // Faults begin once every agent is ready (enrolled), so that each one hits a running pipeline.
  // (An enrolment cut short by a kill is repeated with its enrollment_id: docs/protocol.md.)
  wait_ready(agents_);
}

ChaosSystem::~ChaosSystem() {
  // Nothing may stay stopped: PostgreSQL's shutdown would wait for its paused backends.
  for (const auto& adapter : adapters_) {
    try {
      adapter->resume();
    } catch (const std::exception& e) {  // not running: nothing to resume
      fmt::print(stderr, "cannot resume {}: {}\n", adapter->name(), e.what());
    }
  }
}

std::map<std::string, std::string> ChaosSystem::server_env() const {
  return {{"SENTINEL_STORE_URL", postgres_.url()},
          {"SENTINEL_BUS_URL", nats_.url()},
          {"SENTINEL_MASTER_KEY", kMasterKey},
          {"SENTINEL_SHUTDOWN_TIMEOUT", "10s"},
          // Redeliveries and retries within seconds, so that the drain does not wait minutes.
          {"SENTINEL_WORKER_ACK_WAIT", "5s"},
          {"SENTINEL_WORKER_NAK_DELAY_MAX", "2s"},
          {"SENTINEL_WORKER_INFO_INTERVAL", "1s"},
          {"SENTINEL_GATEWAY_RETRY_AFTER", "1s"},
          {"SENTINEL_ALERT_RULES_FILE", rules_file_.string()}};
}

std::string ChaosSystem::bootstrap_token(const std::string& agent_name) const {
  return test::mint_token(
      {"token", "bootstrap", "create", "--ttl", "1h", "--uses", "1", "--name", agent_name},
      server_env(), "sbt_");
}

void ChaosSystem::add_notifier() {
  const auto admin = test::mint_token({"token", "create", "--role", "admin", "--name", "chaos"},
                                      server_env(), "stk_");
  const nlohmann::json notifier = {{"name", "chaos-webhook"},
                                   {"type", "webhook"},
                                   {"settings", {{"url", receiver_.url("/ok")}}},
                                   {"send_resolved", true},
                                   {"group_wait", "0s"}};
  const auto [host, port] = test::split_host_port(workers_.front()->address());
  test::HttpClient client(host, port);
  const auto reply =
      client.request("POST", "/api/v1/notifiers", notifier.dump(),
                     {{"Authorization", "Bearer " + admin}, {"Content-Type", "application/json"}});
  if (reply.status != 201)
    throw std::runtime_error(
        fmt::format("cannot add the notifier: {} {}", reply.status, reply.body));
}

std::unique_ptr<Daemon> ChaosSystem::server(const std::string& role, int number,
                                            std::uint16_t port) {
  const auto name = fmt::format("{}-{}", role, number);
  return std::make_unique<Daemon>(
      name, std::vector<std::string>{"--role=" + role, fmt::format("--listen=127.0.0.1:{}", port)},
      server_env(), dir_ / name);
}

Targets ChaosSystem::targets() const {
  Targets targets;
  for (const auto& daemon : agents_)
    targets.agents.push_back(daemon->name());
  for (const auto& daemon : gateways_)
    targets.gateways.push_back(daemon->name());
  for (const auto& daemon : workers_)
    targets.workers.push_back(daemon->name());
  return targets;
}

Component& ChaosSystem::component(const std::string& name) {
  for (const auto& adapter : adapters_)
    if (adapter->name() == name) return *adapter;
  for (const auto* group : {&gateways_, &workers_, &agents_})
    for (const auto& daemon : *group)
      if (daemon->name() == name) return *daemon;
  throw std::invalid_argument("no component " + name);
}

void ChaosSystem::supervise() {
  for (const auto& adapter : adapters_)
    adapter->revive();
  for (const auto* group : {&gateways_, &workers_, &agents_})
    for (const auto& daemon : *group)
      daemon->revive();
}

}  // namespace sentinel::chaos
