#pragma once
// One sentineld process under attack: the real binary with a role, a store, a bus, an admin
// token minted by `sentineld token create` beforehand, and the requests an agent, an admin or an
// attacker sends it. It remembers every secret it was configured with or handed out, so that
// the leak checks can look for each of them in logs, metrics and answers.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/http_client.hpp"
#include "support/sentinel_daemon.hpp"
#include "support/sim_agent.hpp"
#include "support/temp_dir.hpp"

namespace sentinel::security {

struct DeploymentOptions {
  std::string role = "all";
  std::string bus_url;                        // nats://...
  std::string store_url;                      // empty: SQLite in the deployment's own directory
  std::map<std::string, std::string> env;     // added to the defaults, or overriding them
  std::optional<test::TlsClientOptions> tls;  // how this suite's clients connect, when TLS
};

class Deployment {
 public:
  explicit Deployment(DeploymentOptions options);

  test::SentinelDaemon& daemon() { return *daemon_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  // The environment the daemon runs with (also what `config print` is given).
  const std::map<std::string, std::string>& env() const { return env_; }
  const std::string& admin_token() const { return admin_token_; }

  test::HttpReply request(const std::string& method, const std::string& target,
                          std::string body = {}, std::map<std::string, std::string> headers = {});
  // An API call with `token` ("" sends none); `body` goes as JSON when not null.
  test::HttpReply api(const std::string& method, const std::string& target,
                      const std::string& token, const nlohmann::json& body = nullptr);
  test::HttpReply post_protobuf(const std::string& target, std::string body,
                                std::map<std::string, std::string> headers = {});
  test::HttpReply push(const std::vector<v1::SignedBatch>& batches);

  struct Token {
    std::string id;
    std::string token;
  };
  // POST /api/v1/tokens as admin; `ttl` like "1h" or "" for none.
  Token api_token(const std::string& role, const std::string& ttl = "");
  // POST /api/v1/bootstrap-tokens as admin.
  Token bootstrap_token(const std::string& name, int uses = 1, const std::string& ttl = "1h");
  test::HttpReply enroll(const std::string& bootstrap, const std::string& host,
                         const std::string& enrollment_id = "");
  // Enrols a new agent named `name` with a fresh bootstrap token; throws when refused.
  test::SimAgent enroll_agent(const std::string& name);

  std::string log() const { return daemon_->output(); }

  // Every secret configured or handed out so far.
  const std::vector<std::string>& secrets() const { return secrets_; }
  void remember_secret(std::string secret) { secrets_.push_back(std::move(secret)); }

 private:
  test::TempDir dir_;
  std::map<std::string, std::string> env_;
  std::optional<test::TlsClientOptions> tls_;
  std::string admin_token_;
  std::vector<std::string> secrets_;
  std::unique_ptr<test::SentinelDaemon> daemon_;
};

// `sentineld <args>` run to completion with `env`: its exit status and output.
struct CommandResult {
  int status = -1;
  std::string output;
};
CommandResult run_sentineld(std::vector<std::string> args, std::map<std::string, std::string> env);

}  // namespace sentinel::security
