#include "deployment.hpp"

#include <fmt/format.h>

#include "sentinel/core/unix_time.hpp"

#include "check.hpp"
#include "support/process.hpp"

namespace sentinel::security {
namespace {

// A master key that cannot be mistaken for anything else in a log line.
constexpr std::string_view kMasterKeyPrefix = "security-suite-master-key-";

}  // namespace

CommandResult run_sentineld(std::vector<std::string> args, std::map<std::string, std::string> env) {
  args.insert(args.begin(), test::sentineld_binary().string());
  CommandResult result;
  result.status = test::run_command(std::move(args), &result.output, std::move(env));
  return result;
}

Deployment::Deployment(DeploymentOptions options) : tls_(std::move(options.tls)) {
  const auto store_url =
      options.store_url.empty() ? "sqlite://" + (dir_ / "sentinel.db").string() : options.store_url;
  const auto master_key = fmt::format("{}{}", kMasterKeyPrefix, core::unix_ms());
  env_ = {{"SENTINEL_MASTER_KEY", master_key},   {"SENTINEL_STORE_URL", store_url},
          {"SENTINEL_BUS_URL", options.bus_url}, {"SENTINEL_DATA_DIR", (dir_ / "data").string()},
          {"SENTINEL_LOG_LEVEL", "debug"},       {"SENTINEL_SHUTDOWN_TIMEOUT", "5s"},
          {"SENTINEL_AGENT_INTERVAL", "1s"}};
  for (auto& [key, value] : options.env)
    env_[key] = value;
  remember_secret(env_["SENTINEL_MASTER_KEY"]);

  admin_token_ = test::mint_token(
      {"token", "create", "--role", "admin", "--name", "security-admin"}, env_, "stk_");
  remember_secret(admin_token_);

  daemon_ = std::make_unique<test::SentinelDaemon>(dir_.path(), "sentineld",
                                                   std::vector{"--role=" + options.role}, env_);
  expect(daemon_->wait_ready(std::chrono::seconds(60)),
         "sentineld --role=" + options.role + " did not become ready:\n" + daemon_->output());
}

test::HttpReply Deployment::request(const std::string& method, const std::string& target,
                                    std::string body, std::map<std::string, std::string> headers) {
  return daemon_->client(tls_).request(method, target, std::move(body), std::move(headers));
}

test::HttpReply Deployment::api(const std::string& method, const std::string& target,
                                const std::string& token, const nlohmann::json& body) {
  std::map<std::string, std::string> headers;
  if (!token.empty()) headers["Authorization"] = "Bearer " + token;
  std::string text;
  if (!body.is_null()) {
    headers["Content-Type"] = "application/json";
    text = body.dump();
  }
  return request(method, target, std::move(text), std::move(headers));
}

test::HttpReply Deployment::post_protobuf(const std::string& target, std::string body,
                                          std::map<std::string, std::string> headers) {
  headers.try_emplace("Content-Type", "application/x-protobuf");
  return request("POST", target, std::move(body), std::move(headers));
}

test::HttpReply Deployment::push(const std::vector<v1::SignedBatch>& batches) {
  return post_protobuf("/v1/push", test::push_body(batches));
}

namespace {

Deployment::Token minted_token(const test::HttpReply& reply, std::string_view what) {
  expect(reply.status == 201, fmt::format("creating {} failed: {}", what, describe(reply)));
  const auto answer = nlohmann::json::parse(reply.body);
  return {answer.at("id").get<std::string>(), answer.at("token").get<std::string>()};
}

}  // namespace

Deployment::Token Deployment::api_token(const std::string& role, const std::string& ttl) {
  nlohmann::json body = {{"name", "security-" + role}, {"role", role}};
  if (!ttl.empty()) body["ttl"] = ttl;
  auto token = minted_token(api("POST", "/api/v1/tokens", admin_token_, body), "an API token");
  remember_secret(token.token);
  return token;
}

Deployment::Token Deployment::bootstrap_token(const std::string& name, int uses,
                                              const std::string& ttl) {
  auto token = minted_token(api("POST", "/api/v1/bootstrap-tokens", admin_token_,
                                {{"name", name}, {"uses", uses}, {"ttl", ttl}}),
                            "a bootstrap token");
  remember_secret(token.token);
  return token;
}

test::HttpReply Deployment::enroll(const std::string& bootstrap, const std::string& host,
                                   const std::string& enrollment_id) {
  v1::EnrollRequest request;
  request.set_enrollment_id(enrollment_id);
  request.set_bootstrap_token(bootstrap);
  request.set_hostname(host + ".example");
  request.set_hardware_id("hw-" + host);
  request.set_agent_version("security-suite");
  return post_protobuf("/v1/agents/enroll", request.SerializeAsString());
}

test::SimAgent Deployment::enroll_agent(const std::string& name) {
  auto reply = enroll(bootstrap_token(name).token, name);
  expect(reply.status == 200, "enrolling " + name + " failed: " + describe(reply));
  v1::EnrollResponse response;
  expect(response.ParseFromString(reply.body), "the enrolment answer is not an EnrollResponse");
  remember_secret(response.secret());
  return {response.agent_id(), response.key_id(), response.secret()};
}

}  // namespace sentinel::security
