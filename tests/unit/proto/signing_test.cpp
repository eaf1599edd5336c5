#include "sentinel/proto/signing.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sentinel/core/crypto.hpp"

#include "support/temp_dir.hpp"

using namespace sentinel;

namespace {

std::string unhex(const nlohmann::json& value) {
  return *core::from_hex(value.get<std::string>());
}

}  // namespace

TEST_CASE("signatures match the published vectors") {
  auto doc =
      nlohmann::json::parse(test::read_file(SENTINEL_SOURCE_DIR "/tests/vectors/signing.json"));
  REQUIRE(doc["vectors"].size() >= 5);
  for (const auto& v : doc["vectors"]) {
    INFO(v["name"].get<std::string>());
    const auto agent = v["agent_id"].get<std::string>();
    const auto key = v["key_id"].get<std::string>();
    const auto nonce = unhex(v["nonce_hex"]);
    const auto payload = unhex(v["payload_hex"]);
    proto::SigningInput input{static_cast<proto::SignatureVersion>(v["version"].get<int>()),
                              agent,
                              key,
                              v["sent_at_ms"].get<std::int64_t>(),
                              nonce,
                              payload};
    CHECK(core::to_hex(proto::canonical_bytes(input)) == v["canonical_hex"].get<std::string>());
    const auto secret = unhex(v["secret_hex"]);
    const auto signature = proto::sign(secret, input);
    CHECK(core::to_hex(signature) == v["signature_hex"].get<std::string>());
    CHECK(proto::verify(secret, input, signature));
  }
}

TEST_CASE("a signed batch verifies and any change to a signed field breaks it") {
  v1::SignedBatch batch;
  batch.set_agent_id("agt_1");
  batch.set_batch("payload");
  const std::string secret(32, 's');
  proto::sign_envelope(batch, "key_1", secret, 1'795'450'000'000);
  CHECK(batch.nonce().size() == proto::kNonceSize);
  CHECK(proto::verify(secret, proto::signing_input(batch), batch.signature()));
  CHECK_FALSE(proto::verify(std::string(32, 't'), proto::signing_input(batch), batch.signature()));

  auto tampered = batch;
  tampered.set_sent_at_ms(batch.sent_at_ms() + 1);
  CHECK_FALSE(proto::verify(secret, proto::signing_input(tampered), batch.signature()));
  tampered = batch;
  tampered.set_agent_id("agt_2");
  CHECK_FALSE(proto::verify(secret, proto::signing_input(tampered), batch.signature()));
  tampered = batch;
  tampered.set_batch("payloae");
  CHECK_FALSE(proto::verify(secret, proto::signing_input(tampered), batch.signature()));
}

TEST_CASE("a heartbeat signature never verifies as a batch") {
  v1::SignedHeartbeat heartbeat;
  heartbeat.set_agent_id("agt_1");
  heartbeat.set_heartbeat("payload");
  const std::string secret(32, 's');
  proto::sign_envelope(heartbeat, "key_1", secret, 1000);
  v1::SignedBatch batch;
  batch.set_agent_id(heartbeat.agent_id());
  batch.set_key_id(heartbeat.key_id());
  batch.set_sent_at_ms(heartbeat.sent_at_ms());
  batch.set_nonce(heartbeat.nonce());
  batch.set_batch(heartbeat.heartbeat());
  CHECK(proto::verify(secret, proto::signing_input(heartbeat), heartbeat.signature()));
  CHECK_FALSE(proto::verify(secret, proto::signing_input(batch), heartbeat.signature()));
}

TEST_CASE("nonces are fresh for every signature") {
  v1::SignedBatch a, b;
  proto::sign_envelope(a, "k", "s", 1);
  proto::sign_envelope(b, "k", "s", 1);
  CHECK(a.nonce() != b.nonce());
}

TEST_CASE("a nonce starts with its signing time, so later nonces sort after earlier ones") {
  // The gateway's replay ledger is keyed by nonce: in time order, concurrent pushes' nonces are
  // neighbours in its index (migrations/*/0070_nonces_in_time_order.sql).
  v1::SignedBatch earlier, later, much_later;
  proto::sign_envelope(earlier, "k", "s", 1'795'450'000'255);
  proto::sign_envelope(later, "k", "s", 1'795'450'000'256);
  proto::sign_envelope(much_later, "k", "s", 2'795'450'000'000);
  CHECK(earlier.nonce() < later.nonce());
  CHECK(later.nonce() < much_later.nonce());
  CHECK(core::to_hex(earlier.nonce()).starts_with("01a20928d37f"));
  CHECK(core::to_hex(later.nonce()).starts_with("01a20928d380"));
}

TEST_CASE("a rotated secret opens only with the signing key and under its own key id") {
  const std::string old_secret(32, 'o');
  const std::string new_secret = core::random_bytes(32);
  const auto sealed = proto::seal_rotated_secret(old_secret, "key_2", new_secret);
  CHECK(proto::open_rotated_secret(old_secret, "key_2", sealed) == new_secret);
  CHECK_FALSE(proto::open_rotated_secret(std::string(32, 'x'), "key_2", sealed));
  CHECK_FALSE(proto::open_rotated_secret(old_secret, "key_3", sealed));
}
