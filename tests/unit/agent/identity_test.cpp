#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "sentinel/core/crypto.hpp"
#include "sentinel/proto/signing.hpp"

#include "agent/identity/credentials.hpp"
#include "support/capture_logger.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;

namespace {

const std::string kMasterKey = "0123456789abcdef0123456789abcdef-master";

agent::Identity sample_identity() {
  return {"agt_42", {"key-1", core::random_bytes(32), 0}, agent::AgentKey{"key-0", "old", 1234}};
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  ::stat(path.c_str(), &info);
  return info.st_mode & 0777;
}

v1::KeyRotation rotation_to(const std::string& key_id, const std::string& new_secret,
                            const std::string& sealing_secret, std::int64_t expires) {
  v1::KeyRotation rotation;
  rotation.set_key_id(key_id);
  rotation.set_sealed_secret(proto::seal_rotated_secret(sealing_secret, key_id, new_secret));
  rotation.set_previous_key_expires_at_ms(expires);
  return rotation;
}

}  // namespace

TEST_CASE("the identity round-trips through an encrypted file only its owner can read") {
  test::TempDir dir;
  agent::IdentityStore store(dir / "identity", kMasterKey);
  auto empty = store.load();
  REQUIRE(empty.ok());
  CHECK_FALSE(empty->has_value());

  const auto identity = sample_identity();
  REQUIRE(store.save(identity).ok());
  CHECK(mode_of(dir / "identity") == 0600);
  const auto bytes = test::read_file(dir / "identity");
  CHECK(bytes.find("agt_42") == std::string::npos);
  CHECK(bytes.find(core::to_base64url(identity.current.secret)) == std::string::npos);
  auto loaded = store.load();
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  CHECK(**loaded == identity);
}

TEST_CASE("a wrong master key is an error that names the file, never a fresh identity") {
  test::TempDir dir;
  REQUIRE(agent::IdentityStore(dir / "identity", kMasterKey).save(sample_identity()).ok());
  auto loaded =
      agent::IdentityStore(dir / "identity", "another master key of enough length!").load();
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().code == "wrong_master_key");
  CHECK_THAT(loaded.error().message, Catch::Contains((dir / "identity").string()));
}

TEST_CASE("the enrolment id stays the same, sealed, until the enrolment is saved") {
  test::TempDir dir;
  agent::Credentials credentials(agent::IdentityStore(dir / "identity", kMasterKey),
                                 test::capture_logger());
  auto id = credentials.enrollment_id();
  REQUIRE(id.ok());
  CHECK(id->size() >= 16);
  CHECK(mode_of(dir / "enrollment") == 0600);
  CHECK(test::read_file(dir / "enrollment").find(*id) == std::string::npos);
  // A restart reads it back.
  CHECK(agent::IdentityStore(dir / "identity", kMasterKey).enrollment_id().value() == *id);
  // Under another master key the file protects nothing: a new id replaces it.
  auto other = agent::IdentityStore(dir / "identity", "another master key of enough length!");
  const auto replaced = other.enrollment_id().value();
  CHECK(replaced != *id);
  CHECK(other.enrollment_id().value() == replaced);

  v1::EnrollResponse response;
  response.set_agent_id("agt_7");
  response.set_key_id("key-7");
  response.set_secret(core::random_bytes(32));
  REQUIRE(agent::Credentials(other, test::capture_logger()).enroll(response).ok());
  CHECK_FALSE(std::filesystem::exists(dir / "enrollment"));
  CHECK(other.enrollment_id().value() != replaced);
}

TEST_CASE("a rotation opens only with the key that signed the request, and keeps the old key") {
  test::TempDir dir;
  agent::Credentials credentials(agent::IdentityStore(dir / "identity", kMasterKey),
                                 test::capture_logger());
  v1::EnrollResponse enrolled;
  enrolled.set_agent_id("agt_1");
  enrolled.set_key_id("key-1");
  enrolled.set_secret(std::string(32, 'a'));
  REQUIRE(credentials.enroll(enrolled).ok());
  const auto first = credentials.identity().current;

  const std::string new_secret(32, 'b');
  auto forged = rotation_to("key-2", new_secret, std::string(32, 'x'), 5000);
  CHECK_FALSE(credentials.rotate(forged, first).ok());
  CHECK(credentials.identity().current.key_id == "key-1");

  REQUIRE(credentials.rotate(rotation_to("key-2", new_secret, first.secret, 5000), first).ok());
  CHECK(credentials.identity().current == agent::AgentKey{"key-2", new_secret, 0});
  CHECK(credentials.identity().previous == agent::AgentKey{"key-1", first.secret, 5000});
  // Repeated by the gateway: ignored.
  REQUIRE(credentials.rotate(rotation_to("key-2", new_secret, first.secret, 9999), first).ok());
  CHECK(credentials.identity().previous->expires_at_ms == 5000);

  agent::Credentials reloaded(agent::IdentityStore(dir / "identity", kMasterKey),
                              test::capture_logger());
  REQUIRE(reloaded.load().ok());
  CHECK(reloaded.identity() == credentials.identity());
}

TEST_CASE("a refused key falls back to the previous one only within its grace period") {
  test::TempDir dir;
  agent::IdentityStore store(dir / "identity", kMasterKey);
  REQUIRE(store.save({"agt_1", {"key-2", "new", 0}, agent::AgentKey{"key-1", "old", 5000}}).ok());
  agent::Credentials credentials(store, test::capture_logger());
  REQUIRE(credentials.load().ok());
  CHECK(credentials.signing_key(1000).key_id == "key-2");
  credentials.refused(credentials.signing_key(1000), 1000);
  CHECK(credentials.signing_key(1000).key_id == "key-1");
  credentials.refused(agent::AgentKey{"key-1", "old", 5000}, 1000);
  CHECK(credentials.signing_key(1000).key_id == "key-2");
  credentials.refused(credentials.signing_key(1000), 1000);
  CHECK(credentials.signing_key(1000).key_id == "key-1");
  CHECK(credentials.signing_key(6000).key_id == "key-2");  // the grace period is over
  credentials.refused(credentials.signing_key(7000), 7000);
  CHECK(credentials.signing_key(7000).key_id == "key-2");
}
