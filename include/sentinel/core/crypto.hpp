#pragma once
// The few cryptographic primitives sentineld uses, over OpenSSL, with byte strings in and out.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sentinel::core {

using Digest = std::array<std::uint8_t, 32>;

Digest sha256(std::string_view data);
Digest hmac_sha256(std::string_view key, std::string_view data);
// Compares in time that depends only on the lengths, so a signature check leaks nothing.
bool constant_time_equal(std::string_view a, std::string_view b);
// Cryptographically random bytes; throws std::runtime_error if the generator fails.
std::string random_bytes(std::size_t count);

std::string to_hex(std::string_view bytes);
std::string to_hex(const Digest& digest);
std::optional<std::string> from_hex(std::string_view hex);
std::string to_base64url(std::string_view bytes);  // unpadded, for tokens
std::optional<std::string> from_base64url(std::string_view text);

// A 256-bit key derived from a secret of any length with HKDF-SHA256; `purpose` separates the
// keys one secret yields ("agent-secrets", "state-file", "key-rotation").
class SealingKey {
 public:
  SealingKey(std::string_view secret, std::string_view purpose);

  // AES-256-GCM: a random 96-bit nonce, then the ciphertext and its 128-bit tag. `context` is
  // authenticated but not stored (an agent id binds a secret to its row).
  std::string seal(std::string_view plaintext, std::string_view context = {}) const;
  // nullopt when the data was altered, the context differs, or the key is wrong.
  std::optional<std::string> open(std::string_view sealed, std::string_view context = {}) const;

 private:
  std::array<std::uint8_t, 32> key_{};
};

}  // namespace sentinel::core
