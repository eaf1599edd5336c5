#pragma once
// Signatures of agent messages, shared by agent and gateway (docs/protocol.md):
//
//   HMAC-SHA256(secret, version ‖ lp(agent_id) ‖ lp(key_id) ‖ be64(sent_at_ms) ‖ lp(nonce) ‖
//   lp(payload))
//
// where lp(x) is x prefixed with its length as a 32-bit big-endian integer and the version byte
// names both the scheme and the kind of payload, so a heartbeat can never pass as a batch.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/sentinel.pb.h"

namespace sentinel::proto {

enum class SignatureVersion : std::uint8_t { kBatchV1 = 1, kHeartbeatV1 = 2 };

constexpr std::size_t kNonceSize = 16;

struct SigningInput {
  SignatureVersion version;
  std::string_view agent_id;
  std::string_view key_id;
  std::int64_t sent_at_ms;
  std::string_view nonce;
  std::string_view payload;
};

// The exact bytes the HMAC covers.
std::string canonical_bytes(const SigningInput& input);
std::string sign(std::string_view secret, const SigningInput& input);
bool verify(std::string_view secret, const SigningInput& input, std::string_view signature);

SigningInput signing_input(const v1::SignedBatch& batch);
SigningInput signing_input(const v1::SignedHeartbeat& heartbeat);

// Fills key_id, sent_at_ms, a fresh nonce and the signature of an envelope whose payload and
// agent_id are set.
void sign_envelope(v1::SignedBatch& batch, std::string_view key_id, std::string_view secret,
                   std::int64_t now_ms);
void sign_envelope(v1::SignedHeartbeat& heartbeat, std::string_view key_id, std::string_view secret,
                   std::int64_t now_ms);

// Key rotation (KeyRotation.sealed_secret): the new secret sealed with AES-256-GCM under
// core::SealingKey(secret of the key that signed the request, kRotationPurpose), with the new
// key_id as associated data so that a sealed secret cannot be passed off under another key id.
constexpr std::string_view kRotationPurpose = "sentinel key rotation v1";
std::string seal_rotated_secret(std::string_view signing_secret, std::string_view new_key_id,
                                std::string_view new_secret);
// nullopt when `signing_secret` is not the key it was sealed under or the data was altered.
std::optional<std::string> open_rotated_secret(std::string_view signing_secret,
                                               std::string_view new_key_id,
                                               std::string_view sealed);

}  // namespace sentinel::proto
