#include "sentinel/core/crypto.hpp"

#include <catch2/catch.hpp>

using namespace sentinel::core;

TEST_CASE("sha256 and hmac_sha256 match the standard test vectors") {
  CHECK(to_hex(sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231, test case 2.
  CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("hex and base64url round-trip and reject garbage") {
  const std::string bytes = random_bytes(67);
  CHECK(from_hex(to_hex(bytes)) == bytes);
  CHECK(from_base64url(to_base64url(bytes)) == bytes);
  CHECK(to_base64url("\xfb\xff") == "-_8");
  CHECK_FALSE(from_hex("abc"));
  CHECK_FALSE(from_hex("zz"));
  CHECK_FALSE(from_base64url("a+b"));
}

TEST_CASE("constant_time_equal compares content and length") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
}

TEST_CASE("sealed data opens with the same key and context only") {
  SealingKey key("a master key of at least thirty-two bytes", "agent-secrets");
  const auto sealed = key.seal("the agent secret", "agt_1");
  CHECK(sealed.size() == 12 + 16 + 16);
  CHECK(key.open(sealed, "agt_1") == "the agent secret");
  CHECK_FALSE(key.open(sealed, "agt_2"));
  CHECK_FALSE(
      SealingKey("a master key of at least thirty-two bytes", "state-file").open(sealed, "agt_1"));
  CHECK_FALSE(
      SealingKey("another master key, also long enough!!", "agent-secrets").open(sealed, "agt_1"));
  auto tampered = sealed;
  tampered[20] ^= 1;
  CHECK_FALSE(key.open(tampered, "agt_1"));
  CHECK_FALSE(key.open("short"));
  CHECK(key.seal("same", "c") != key.seal("same", "c"));  // a fresh nonce each time
}
