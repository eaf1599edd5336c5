// S13-S15, S35: enrolment with bootstrap tokens.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sentinel/core/crypto.hpp"
#include "sentinel/core/unix_time.hpp"

#include "checks.hpp"
#include "lab.hpp"

namespace sentinel::security {
namespace {

using nlohmann::json;

// The agents whose name is `name`, as the API lists them.
json agents_named(Deployment& gateway, const std::string& name) {
  const auto reply = gateway.api("GET", "/api/v1/agents?search=" + name, gateway.admin_token());
  expect(reply.status == 200, "listing agents: " + describe(reply));
  json named = json::array();
  const auto listed = json::parse(reply.body);
  for (const auto& agent : listed.at("agents")) {
    if (agent.at("name") == name) named.push_back(agent);
  }
  return named;
}

// The bootstrap token with `id`, as the API lists it.
json bootstrap_record(Deployment& gateway, const std::string& id) {
  const auto reply = gateway.api("GET", "/api/v1/bootstrap-tokens", gateway.admin_token());
  expect(reply.status == 200, "listing bootstrap tokens: " + describe(reply));
  const auto listed = json::parse(reply.body);
  for (const auto& token : listed.at("bootstrap_tokens")) {
    if (token.at("id") == id) return token;
  }
  throw CheckFailed("bootstrap token " + id + " is not listed");
}

}  // namespace

void reused_bootstrap_token(Lab& lab) {
  auto& gateway = lab.main();
  const auto name = lab.unique("single-use");
  const auto token = gateway.bootstrap_token(name, 1);
  const auto first = gateway.enroll(token.token, name + "-a");
  expect(first.status == 200, "the first enrolment: " + describe(first));
  expect_refused(gateway.enroll(token.token, name + "-b"), 401, "invalid_bootstrap_token",
                 "a second host with a single-use token");
  expect(agents_named(gateway, name).size() == 1, "a used-up token enrolled a second agent");
}

void expired_bootstrap_token(Lab& lab) {
  auto& gateway = lab.main();
  const auto name = lab.unique("short-lived");
  const auto token = gateway.bootstrap_token(name, 5, "1s");
  const auto expires_at = bootstrap_record(gateway, token.id).at("expires_at").get<std::int64_t>();
  // Wait without using the token: an early enrolment would rightly succeed.
  expect(
      test::eventually([&] { return core::unix_ms() > expires_at + 50; }, std::chrono::seconds(10)),
      "the token's expiry never came");
  expect_refused(gateway.enroll(token.token, name), 401, "invalid_bootstrap_token",
                 "an expired bootstrap token");

  const auto revoked = gateway.bootstrap_token(lab.unique("revoked"), 5);
  const auto deleted =
      gateway.api("DELETE", "/api/v1/bootstrap-tokens/" + revoked.id, gateway.admin_token());
  expect(deleted.status == 204, "revoking a bootstrap token: " + describe(deleted));
  expect_refused(gateway.enroll(revoked.token, lab.unique("revoked-host")), 401,
                 "invalid_bootstrap_token", "a revoked bootstrap token");
  expect_refused(gateway.enroll("sbt_never-issued-0123456789", lab.unique("guess")), 401,
                 "invalid_bootstrap_token", "a bootstrap token never issued");
  expect(agents_named(gateway, name).empty(), "an expired token enrolled an agent");
}

void enrolment_cannot_replace_agent(Lab& lab) {
  auto& gateway = lab.main();
  const auto name = lab.unique("incumbent");
  const auto token = gateway.bootstrap_token(name, 2);
  const auto first = gateway.enroll(token.token, name);
  expect(first.status == 200, "the first enrolment: " + describe(first));
  v1::EnrollResponse incumbent;
  expect(incumbent.ParseFromString(first.body), "the enrolment answer is not an EnrollResponse");
  gateway.remember_secret(incumbent.secret());

  // The same host (name and hardware id) again, with a token that has a use left.
  expect_refused(gateway.enroll(token.token, name), 409, "agent_exists",
                 "enrolling an enrolled host again");
  const auto listed = agents_named(gateway, name);
  expect(listed.size() == 1 && listed[0].at("id") == incumbent.agent_id(),
         "the enrolled agent was replaced or duplicated: " + listed.dump());
  expect(bootstrap_record(gateway, token.id).at("uses_left") == 1,
         "the refused enrolment used up a use of the token");
  // The incumbent's key still signs.
  const test::SimAgent agent{incumbent.agent_id(), incumbent.key_id(), incumbent.secret()};
  const auto pushed = gateway.push({agent.sign(agent.batch(1))});
  expect(pushed.status == 200, "the incumbent's push after the attempt: " + describe(pushed));
}

void repeated_enrolment_needs_its_id(Lab& lab) {
  auto& gateway = lab.main();
  const auto name = lab.unique("repeated");
  const auto token = gateway.bootstrap_token(name, 1);
  const auto id = core::to_base64url(core::random_bytes(16));
  gateway.remember_secret(id);
  const auto first = gateway.enroll(token.token, name, id);
  expect(first.status == 200, "the first enrolment: " + describe(first));
  v1::EnrollResponse enrolled;
  expect(enrolled.ParseFromString(first.body), "the enrolment answer is not an EnrollResponse");
  gateway.remember_secret(enrolled.secret());

  // Someone else with the spent token, and a guess of the id: a new enrolment, refused.
  expect_refused(gateway.enroll(token.token, name, core::to_base64url(core::random_bytes(16))), 401,
                 "invalid_bootstrap_token", "the spent token with another enrollment_id");
  const auto repeated = gateway.enroll(token.token, name, id);
  v1::EnrollResponse again;
  expect(repeated.status == 200 && again.ParseFromString(repeated.body) &&
             again.agent_id() == enrolled.agent_id() && again.secret() == enrolled.secret(),
         "the repeated enrolment did not get its agent back: " + describe(repeated));

  // Once the agent has been seen, the id hands out nothing.
  const test::SimAgent agent{enrolled.agent_id(), enrolled.key_id(), enrolled.secret()};
  const auto beat =
      gateway.post_protobuf("/v1/heartbeat", agent.heartbeat(v1::HostFacts{}).SerializeAsString());
  expect(beat.status == 200, "the agent's heartbeat: " + describe(beat));
  expect_refused(gateway.enroll(token.token, name, id), 409, "enrollment_completed",
                 "repeating the enrolment of an agent that has been seen");
  expect(agents_named(gateway, name).size() == 1, "a repeated enrolment made another agent");
}

}  // namespace sentinel::security
