// S25-S32: secrets in configuration (prod mode) and where they must never show up.

#include <fstream>
#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sentinel/core/crypto.hpp"

#include "checks.hpp"
#include "lab.hpp"
#include "support/process.hpp"

namespace sentinel::security {
namespace {

using nlohmann::json;

// How a secret may show up in text: as it is, and for binary ones (agent keys) in hex and
// base64url too.
std::vector<std::string> spellings(const std::string& secret) {
  std::vector<std::string> forms = {secret};
  const bool printable = std::all_of(secret.begin(), secret.end(),
                                     [](unsigned char c) { return std::isprint(c) != 0; });
  if (!printable) {
    forms.push_back(core::to_hex(secret));
    forms.push_back(core::to_base64url(secret));
  }
  return forms;
}

// Fails when `text` holds any of `secrets`, naming where without printing the secret.
void expect_no_secret(const std::string& text, const std::vector<std::string>& secrets,
                      std::string_view where) {
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    for (const auto& form : spellings(secrets[i])) {
      expect(text.find(form) == std::string::npos,
             fmt::format("{} shows secret #{} ({}...)", where, i + 1,
                         std::string_view(form).substr(0, 4)));
    }
  }
}

// Fails when `text` holds anything shaped like an API or bootstrap token, known to the suite or
// not (the local agent's own bootstrap token, say). A scan, not std::regex: libstdc++'s regex
// recurses per character and overflows the stack on a long log.
void expect_no_token_shape(const std::string& text, std::string_view where) {
  constexpr std::size_t kMinTokenChars = 20;
  auto token_char = [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; };
  for (const std::string_view prefix : {"stk_", "sbt_"}) {
    for (auto at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
      auto end = at + prefix.size();
      while (end < text.size() && token_char(static_cast<unsigned char>(text[end])))
        ++end;
      expect(end - at - prefix.size() < kMinTokenChars,
             fmt::format("{} shows a token: {}...", where, text.substr(at, 8)));
    }
  }
}

// `sentineld --role=gateway` in prod mode with `master_key`: it must exit 2 at start-up, name the
// master_key setting and not repeat the value.
void expect_refused_key(const std::string& master_key, std::string_view what,
                        std::vector<std::string> extra_args = {}) {
  test::TempDir dir;
  std::map<std::string, std::string> env = {{"SENTINEL_ENV", "prod"},
                                            {"SENTINEL_DATA_DIR", dir.path().string()}};
  if (!master_key.empty()) env["SENTINEL_MASTER_KEY"] = master_key;
  std::vector<std::string> args = {test::sentineld_binary().string(), "--role=gateway",
                                   "--listen=127.0.0.1:0",
                                   "--ready-file=" + (dir / "ready").string()};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  // Its own child rather than run_sentineld: a daemon that does start must not hold the suite.
  test::ChildProcess daemon({args, env, dir / "output"});
  const auto status = daemon.wait(std::chrono::seconds(20));
  const CommandResult result{status.value_or(-1), daemon.output()};
  expect(result.status == 2, fmt::format("prod mode with {}: exit status {}, output:\n{}", what,
                                         result.status, result.output));
  expect(!std::filesystem::exists(dir / "ready"), fmt::format("prod mode with {} served", what));
  expect(result.output.find("master_key") != std::string::npos,
         fmt::format("prod mode with {}: the refusal does not name master_key", what));
  if (!master_key.empty()) {
    expect(result.output.find(master_key) == std::string::npos,
           fmt::format("prod mode with {}: the refusal repeats the secret", what));
  }
}

// The master key the shipped Kubernetes example carries as a placeholder.
std::string example_master_key() {
  const auto example = test::read_file(test::source_dir() / "deploy/k8s/secret.example.yaml");
  std::smatch match;
  expect(std::regex_search(example, match, std::regex(R"(SENTINEL_MASTER_KEY:\s*"([^"]*)\")")),
         "deploy/k8s/secret.example.yaml has no SENTINEL_MASTER_KEY");
  return match[1];
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `look` on every deployment the leak checks read.
template <class Look>
void for_each_deployment(Lab& lab, Look look) {
  look(lab.main());
  look(lab.edge());
  look(lab.worker());
}

}  // namespace

void prod_refuses_weak_secret(Lab&) {
  expect_refused_key("changeme", "master_key changeme");
  expect_refused_key("0123456789abcdef", "a 16-byte master_key");
  expect_refused_key(std::string(48, 'a'), "a master_key of one repeated character");
}

void prod_refuses_missing_secret(Lab&) {
  expect_refused_key("", "no master_key");
  // The shipped example configuration, as it is: mode prod, master_key "".
  expect_refused_key("", "config/gateway.yml as shipped",
                     {"--config=" + (test::source_dir() / "config/gateway.yml").string()});
}

void prod_refuses_example_secret(Lab&) {
  expect_refused_key(example_master_key(), "the master key of deploy/k8s/secret.example.yaml");
  expect_refused_key("REPLACE-ME-with-64-hex-characters-from-openssl-rand-hex-32",
                     "a REPLACE-ME placeholder");
}

void notifier_secrets_masked(Lab& lab) {
  auto& gateway = lab.main();
  const std::string hmac = "notifier-hmac-secret-7d3e41";
  const std::string bearer = "notifier-bearer-token-9a0b52";
  const std::string slack = "https://hooks.slack.example/services/T000/B000/slack-secret-c4d5";
  gateway.remember_secret(hmac);
  gateway.remember_secret(bearer);
  gateway.remember_secret(slack);
  const auto webhook = gateway.api(
      "POST", "/api/v1/notifiers", gateway.admin_token(),
      {{"name", lab.unique("webhook")},
       {"type", "webhook"},
       {"settings",
        {{"url", "http://127.0.0.1:9/hook"}, {"hmac_secret", hmac}, {"bearer_token", bearer}}}});
  expect(webhook.status == 201, "creating a webhook notifier: " + describe(webhook));
  const auto created = json::parse(webhook.body);
  expect(created.at("settings").at("hmac_secret") == "***" &&
             created.at("settings").at("bearer_token") == "***",
         "the creation answer does not mask the secrets: " + webhook.body);
  const auto chat = gateway.api(
      "POST", "/api/v1/notifiers", gateway.admin_token(),
      {{"name", lab.unique("slack")}, {"type", "slack"}, {"settings", {{"url", slack}}}});
  expect(chat.status == 201, "creating a slack notifier: " + describe(chat));
  expect(json::parse(chat.body).at("settings").at("url") == "***",
         "the slack webhook URL (a secret) is not masked: " + chat.body);

  const auto one = gateway.api("GET", "/api/v1/notifiers/" + created.at("id").get<std::string>(),
                               gateway.admin_token());
  expect(one.status == 200, "reading the notifier: " + describe(one));
  expect(json::parse(one.body).at("settings").at("hmac_secret") == "***",
         "GET /api/v1/notifiers/{id} does not mask hmac_secret");
  const auto list = gateway.api("GET", "/api/v1/notifiers", gateway.admin_token());
  expect_no_secret(list.body, {hmac, bearer, slack}, "GET /api/v1/notifiers");
  expect_no_secret(one.body, {hmac, bearer, slack}, "GET /api/v1/notifiers/{id}");

  // Sealed at rest: the database files never hold them in clear.
  std::string at_rest;
  for (const auto& entry : std::filesystem::directory_iterator(gateway.dir())) {
    if (entry.path().filename().string().starts_with("sentinel.db"))
      at_rest += file_bytes(entry.path());
  }
  expect(!at_rest.empty(), "no SQLite files in the deployment's directory");
  expect_no_secret(at_rest, {hmac, bearer, slack}, "the SQLite database");
}

void no_secret_in_api(Lab& lab) {
  auto& gateway = lab.main();
  const auto agent = gateway.enroll_agent(lab.unique("listed"));
  gateway.bootstrap_token(lab.unique("pending"), 3);
  const std::vector<std::string> targets = {"/api/v1/tokens",
                                            "/api/v1/bootstrap-tokens",
                                            "/api/v1/agents",
                                            "/api/v1/fleet",
                                            "/api/v1/agents/" + agent.agent_id,
                                            "/api/v1/notifiers",
                                            "/api/v1/openapi.json",
                                            "/api/v1/rules",
                                            "/api/v1/notifications/dlq"};
  for (const auto& target : targets) {
    const auto reply = gateway.api("GET", target, gateway.admin_token());
    expect(reply.status == 200, "GET " + target + ": " + describe(reply));
    expect_no_secret(reply.body, gateway.secrets(), "GET " + target);
  }
  // Token lists carry no token field at all (the value is shown once, at creation).
  for (const auto& [target, key] : {std::pair{"/api/v1/tokens", "tokens"},
                                    std::pair{"/api/v1/bootstrap-tokens", "bootstrap_tokens"}}) {
    const auto listed = json::parse(gateway.api("GET", target, gateway.admin_token()).body);
    for (const auto& token : listed.at(key))
      expect(!token.contains("token"), fmt::format("GET {} shows a token field", target));
  }
}

void no_secret_in_metrics(Lab& lab) {
  for_each_deployment(lab, [](Deployment& deployment) {
    const auto metrics = deployment.request("GET", "/metrics");
    expect(metrics.status == 200, "GET /metrics: " + describe(metrics));
    expect_no_secret(metrics.body, deployment.secrets(), "/metrics");
    expect_no_token_shape(metrics.body, "/metrics");
  });
}

void no_secret_in_config_print(Lab& lab) {
  for_each_deployment(lab, [](Deployment& deployment) {
    const auto printed = run_sentineld({"config", "print"}, deployment.env());
    expect(printed.status == 0, "sentineld config print failed: " + printed.output);
    expect(printed.output.find("master_key: \"***\"") != std::string::npos,
           "config print does not show master_key as ***:\n" + printed.output);
    expect_no_secret(printed.output, deployment.secrets(), "config print");
  });
}

void no_secret_in_logs(Lab& lab) {
  for_each_deployment(lab, [](Deployment& deployment) {
    const auto log = deployment.log();
    expect(!log.empty(), "the log is empty");
    expect_no_secret(log, deployment.secrets(), "the debug log");
    expect_no_token_shape(log, "the debug log");
  });
}

}  // namespace sentinel::security
