#include "sentinel/proto/signing.hpp"

#include "sentinel/core/crypto.hpp"

namespace sentinel::proto {
namespace {

void append_be(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out += static_cast<char>((value >> shift) & 0xff);
  }
}

void append_prefixed(std::string& out, std::string_view field) {
  append_be(out, field.size(), 4);
  out.append(field);
}

// The signing time first (48 bits of milliseconds, big-endian), then random bytes: unique as a
// random nonce, and in time order, so the gateway's replay ledger adds the nonces of concurrent
// pushes side by side at the end of its index rather than each on a random page (as UUIDv7 does
// for primary keys).
std::string fresh_nonce(std::int64_t now_ms) {
  constexpr int kTimeBytes = 6;
  std::string nonce;
  nonce.reserve(kNonceSize);
  append_be(nonce, static_cast<std::uint64_t>(now_ms), kTimeBytes);
  nonce += core::random_bytes(kNonceSize - kTimeBytes);
  return nonce;
}

template <class Envelope>
void fill(Envelope& envelope, std::string_view key_id, std::int64_t now_ms) {
  envelope.set_key_id(std::string(key_id));
  envelope.set_sent_at_ms(now_ms);
  envelope.set_nonce(fresh_nonce(now_ms));
}

}  // namespace

std::string canonical_bytes(const SigningInput& input) {
  std::string out;
  out.reserve(1 + 4 * 4 + 8 + input.agent_id.size() + input.key_id.size() + input.nonce.size() +
              input.payload.size());
  out += static_cast<char>(input.version);
  append_prefixed(out, input.agent_id);
  append_prefixed(out, input.key_id);
  append_be(out, static_cast<std::uint64_t>(input.sent_at_ms), 8);
  append_prefixed(out, input.nonce);
  append_prefixed(out, input.payload);
  return out;
}

std::string sign(std::string_view secret, const SigningInput& input) {
  auto digest = core::hmac_sha256(secret, canonical_bytes(input));
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

bool verify(std::string_view secret, const SigningInput& input, std::string_view signature) {
  return core::constant_time_equal(sign(secret, input), signature);
}

SigningInput signing_input(const v1::SignedBatch& batch) {
  return {SignatureVersion::kBatchV1, batch.agent_id(), batch.key_id(),
          batch.sent_at_ms(),         batch.nonce(),    batch.batch()};
}

SigningInput signing_input(const v1::SignedHeartbeat& heartbeat) {
  return {SignatureVersion::kHeartbeatV1, heartbeat.agent_id(), heartbeat.key_id(),
          heartbeat.sent_at_ms(),         heartbeat.nonce(),    heartbeat.heartbeat()};
}

void sign_envelope(v1::SignedBatch& batch, std::string_view key_id, std::string_view secret,
                   std::int64_t now_ms) {
  fill(batch, key_id, now_ms);
  batch.set_signature(sign(secret, signing_input(batch)));
}

void sign_envelope(v1::SignedHeartbeat& heartbeat, std::string_view key_id, std::string_view secret,
                   std::int64_t now_ms) {
  fill(heartbeat, key_id, now_ms);
  heartbeat.set_signature(sign(secret, signing_input(heartbeat)));
}

std::string seal_rotated_secret(std::string_view signing_secret, std::string_view new_key_id,
                                std::string_view new_secret) {
  return core::SealingKey(signing_secret, kRotationPurpose).seal(new_secret, new_key_id);
}

std::optional<std::string> open_rotated_secret(std::string_view signing_secret,
                                               std::string_view new_key_id,
                                               std::string_view sealed) {
  return core::SealingKey(signing_secret, kRotationPurpose).open(sealed, new_key_id);
}

}  // namespace sentinel::proto
