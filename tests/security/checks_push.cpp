// S08-S12: the HMAC-signed push (docs/protocol.md) against forgery, tampering and replay.

#include <chrono>

#include <fmt/format.h>

#include "sentinel/core/unix_time.hpp"
#include "sentinel/proto/signing.hpp"

#include "checks.hpp"
#include "lab.hpp"

namespace sentinel::security {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kOutsideWindowMs = 10 * 60 * 1000;  // twice the default replay_window
// The value every refused batch carries, and no accepted one: finding it stored is a breach.
constexpr double kForgedValue = 424242.5;
constexpr std::string_view kForgedText = "424242.5";

// A batch of `agent` whose first sample holds kForgedValue.
v1::Batch forged_batch(const test::SimAgent& agent, std::uint64_t batch_id) {
  auto batch = agent.batch(batch_id);
  batch.mutable_metrics(0)->set_double_value(kForgedValue);
  return batch;
}

// Once the samples `agent_id` did push properly are stored, none of the refused ones is.
void expect_only_accepted_stored(Deployment& gateway, const std::string& agent_id) {
  const auto now = core::unix_ms() / 1000;
  const auto target = fmt::format("/api/v1/export?agent={}&from={}&to={}&format=csv", agent_id,
                                  now - 3600, now + 600);
  test::HttpReply exported;
  const bool stored = test::eventually(
      [&] {
        exported = gateway.api("GET", target, gateway.admin_token());
        return exported.status == 200 &&
               exported.body.find("cpu_usage_percent") != std::string::npos &&
               exported.body.find("1.5") != std::string::npos;  // the format of a value
      },
      std::chrono::seconds(30));
  expect(stored, "the accepted batch of " + agent_id + " was never stored: " + describe(exported));
  expect(exported.body.find(kForgedText) == std::string::npos,
         "a refused batch of " + agent_id + " was stored");
}

// The push was answered 200 and its one batch was ACCEPTED.
void expect_accepted(const test::HttpReply& reply, std::string_view what) {
  expect(reply.status == 200, fmt::format("{}: {}", what, describe(reply)));
  v1::PushResponse response;
  expect(response.ParseFromString(reply.body) && response.results_size() == 1 &&
             response.results(0).status() == v1::BATCH_STATUS_ACCEPTED,
         fmt::format("{}: the batch was not ACCEPTED", what));
}

// Signs `envelope` again, as its agent would, keeping its nonce.
void resign(v1::SignedBatch& envelope, const std::string& secret) {
  envelope.set_signature(proto::sign(secret, proto::signing_input(envelope)));
}

}  // namespace

void bad_signature(Lab& lab) {
  auto& gateway = lab.main();
  const auto agent = gateway.enroll_agent(lab.unique("hmac"));
  auto flipped = agent.sign(forged_batch(agent, 1));
  auto signature = flipped.signature();
  signature[0] = static_cast<char>(signature[0] ^ 0x01);
  flipped.set_signature(signature);
  expect_refused(gateway.push({flipped}), 401, "bad_signature", "a signature with one bit flipped");

  auto tampered = agent.sign(agent.batch(2));
  tampered.set_batch(forged_batch(agent, 2).SerializeAsString());  // changed after signing
  expect_refused(gateway.push({tampered}), 401, "bad_signature", "a batch changed after signing");

  auto unsigned_batch = agent.sign(forged_batch(agent, 3));
  unsigned_batch.clear_signature();
  expect_refused(gateway.push({unsigned_batch}), 401, "bad_signature", "a batch with no signature");

  auto guessed = agent.sign(forged_batch(agent, 4));
  resign(guessed, "not-the-secret-of-this-agent-0123456789");
  expect_refused(gateway.push({guessed}), 401, "bad_signature", "a batch signed with a guess");

  expect_accepted(gateway.push({agent.sign(agent.batch(5))}), "the same agent, signing properly");
  expect_only_accepted_stored(gateway, agent.agent_id);
}

void cross_agent_forgery(Lab& lab) {
  auto& gateway = lab.main();
  const auto victim = gateway.enroll_agent(lab.unique("victim"));
  const auto attacker = gateway.enroll_agent(lab.unique("attacker"));

  // The attacker's own key under the victim's name: the victim has no such key.
  v1::SignedBatch own_key;
  own_key.set_agent_id(victim.agent_id);
  own_key.set_batch(forged_batch(victim, 1).SerializeAsString());
  proto::sign_envelope(own_key, attacker.key_id, attacker.secret, core::unix_ms());
  expect_refused(gateway.push({own_key}), 401, "unknown_key",
                 "the victim's id signed with the attacker's key");

  // The victim's key id, signed with the attacker's secret.
  v1::SignedBatch stolen_id;
  stolen_id.set_agent_id(victim.agent_id);
  stolen_id.set_batch(forged_batch(victim, 2).SerializeAsString());
  proto::sign_envelope(stolen_id, victim.key_id, attacker.secret, core::unix_ms());
  expect_refused(gateway.push({stolen_id}), 401, "bad_signature",
                 "the victim's key id signed with the attacker's secret");

  // A properly signed envelope of the attacker carrying a batch that names the victim.
  const auto smuggled = gateway.push({attacker.sign(forged_batch(victim, 3))});
  v1::PushResponse response;
  expect(smuggled.status == 200 && response.ParseFromString(smuggled.body) &&
             response.results_size() == 1 &&
             response.results(0).status() == v1::BATCH_STATUS_REJECTED,
         "a batch naming the victim inside the attacker's envelope was not REJECTED: " +
             describe(smuggled));

  // One push mixing both agents' envelopes.
  expect_refused(gateway.push({attacker.sign(attacker.batch(4)), victim.sign(victim.batch(4))}),
                 400, "malformed_request", "one push carrying two agents' batches");

  expect_accepted(gateway.push({victim.sign(victim.batch(5))}), "the victim, signing properly");
  expect_only_accepted_stored(gateway, victim.agent_id);
}

void stale_timestamp(Lab& lab) {
  auto& gateway = lab.main();
  const auto agent = gateway.enroll_agent(lab.unique("stale"));
  expect_refused(
      gateway.push({agent.sign(forged_batch(agent, 1), core::unix_ms() - kOutsideWindowMs)}), 401,
      "stale_timestamp", "sent_at_ms 10 minutes in the past");
  expect_accepted(gateway.push({agent.sign(agent.batch(2))}), "the same agent, on time");
  expect_only_accepted_stored(gateway, agent.agent_id);
}

void future_timestamp(Lab& lab) {
  auto& gateway = lab.main();
  const auto agent = gateway.enroll_agent(lab.unique("future"));
  expect_refused(
      gateway.push({agent.sign(forged_batch(agent, 1), core::unix_ms() + kOutsideWindowMs)}), 401,
      "stale_timestamp", "sent_at_ms 10 minutes in the future");
  expect_accepted(gateway.push({agent.sign(agent.batch(2))}), "the same agent, on time");
  expect_only_accepted_stored(gateway, agent.agent_id);
}

void replayed_nonce(Lab& lab) {
  auto& gateway = lab.main();
  const auto agent = gateway.enroll_agent(lab.unique("replay"));
  const auto original = agent.sign(agent.batch(1));
  expect_accepted(gateway.push({original}), "the original push");
  expect_refused(gateway.push({original}), 401, "replayed_nonce", "the same push sent again");

  // A new batch, validly signed, that reuses the nonce.
  auto reused = agent.sign(forged_batch(agent, 2));
  reused.set_nonce(original.nonce());
  resign(reused, agent.secret);
  expect_refused(gateway.push({reused}), 401, "replayed_nonce", "a new batch reusing a nonce");

  auto short_nonce = agent.sign(forged_batch(agent, 3));
  short_nonce.set_nonce("0123");
  resign(short_nonce, agent.secret);
  expect_refused(gateway.push({short_nonce}), 401, "replayed_nonce", "a 4-byte nonce");
  expect_only_accepted_stored(gateway, agent.agent_id);
}

}  // namespace sentinel::security
