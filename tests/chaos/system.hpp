#pragma once
// The system under test of the chaos suite, all real processes on loopback: PostgreSQL,
// nats-server with JetStream, 2 gateways behind a TCP proxy, 2 workers and N agents whose
// collectors are the synthetic generator. Every part is a Component the schedule can kill,
// restart and pause; a supervisor (revive) starts again a daemon that ended on its own, as
// systemd would.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "schedule.hpp"
#include "support/http_client.hpp"
#include "support/nats_server.hpp"
#include "support/postgres_cluster.hpp"
#include "support/process.hpp"
#include "support/tcp_proxy.hpp"
#include "support/temp_dir.hpp"
#include "support/webhook_receiver.hpp"

namespace sentinel::chaos {

class Component {
 public:
  virtual ~Component() = default;
  virtual const std::string& name() const = 0;
  virtual void kill() = 0;   // as a crash, waiting until it is gone
  virtual void start() = 0;  // again, on the same address and state
  virtual void pause() = 0;
  virtual void resume() = 0;
  // Starts it again when it ended without being killed; says so on stdout. Returns whether it did.
  virtual bool revive() = 0;
};

// One sentineld process (--role=gateway|worker|agent) with its own data directory and log.
class Daemon final : public Component {
 public:
  Daemon(std::string name, std::vector<std::string> args, std::map<std::string, std::string> env,
         std::filesystem::path dir);

  const std::string& name() const override { return name_; }
  void kill() override;
  void start() override;
  void pause() override;
  void resume() override;
  bool revive() override;

  // SIGTERM and wait for the exit; true when it exited 0.
  bool stop();
  // The environment of the next start (the drain restarts agents without their generator).
  void set_env(std::map<std::string, std::string> env) { env_ = std::move(env); }
  const std::map<std::string, std::string>& env() const { return env_; }
  const std::filesystem::path& dir() const { return dir_; }
  bool ready() const;
  std::string address() const;  // host:port from the ready file
  // Its /readyz answers 200: an agent has enrolled, a server reaches its store and bus.
  bool reports_ready() const;
  // Its /metrics text; empty while it is not ready or does not answer (restarting, paused).
  std::string metrics() const;
  bool running() { return process_ && process_->running(); }

 private:
  std::string name_;
  std::vector<std::string> args_;
  std::map<std::string, std::string> env_;
  std::filesystem::path dir_;
  std::unique_ptr<test::ChildProcess> process_;
  bool down_ = false;  // killed or stopped on purpose: revive leaves it alone

  // A GET on its HTTP server; status 0 while it is not ready or does not answer.
  test::HttpReply get(const std::string& target) const;
};

struct SystemOptions {
  int agents = 3;
  double rate = 40;  // synthetic samples per second and agent
  int series = 4;
};

class ChaosSystem {
 public:
  // Starts everything and waits until every daemon is ready and every agent enrolled; the
  // notifier exists before the first agent starts (the alerting leader reads it again when a
  // transition names it and it has not seen it yet), so every transition has one.
  explicit ChaosSystem(const SystemOptions& options);
  ~ChaosSystem();
  ChaosSystem(const ChaosSystem&) = delete;
  ChaosSystem& operator=(const ChaosSystem&) = delete;

  Targets targets() const;
  Component& component(const std::string& name);
  test::TcpProxy& proxy() { return *proxy_; }
  const std::vector<std::unique_ptr<Daemon>>& agents() const { return agents_; }
  const std::vector<std::unique_ptr<Daemon>>& workers() const { return workers_; }
  std::string store_url() const { return postgres_.url(); }
  // Where the workers' one notifier (a webhook for the rule's transitions) posts.
  const test::WebhookReceiver& receiver() const { return receiver_; }
  // Starts again whatever ended on its own.
  void supervise();

 private:
  std::map<std::string, std::string> server_env() const;
  std::string bootstrap_token(const std::string& agent_name) const;
  void add_notifier();
  std::unique_ptr<Daemon> server(const std::string& role, int number, std::uint16_t port);

  test::TempDir dir_;
  std::filesystem::path rules_file_;
  test::PostgresCluster postgres_;
  test::NatsServerProcess nats_;
  std::vector<std::unique_ptr<Component>> adapters_;  // PostgreSQL and nats-server as Components
  std::vector<std::unique_ptr<Daemon>> gateways_, workers_, agents_;
  std::unique_ptr<test::TcpProxy> proxy_;
  test::WebhookReceiver receiver_;
};

}  // namespace sentinel::chaos
