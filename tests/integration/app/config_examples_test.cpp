// The example configurations in config/ are documentation users copy: each must pass
// `config check` for its role, so that a renamed or removed key breaks this test, not a user.

#include <catch2/catch.hpp>

#include "sentinel/core/crypto.hpp"

#include "support/process.hpp"

using namespace sentinel;

TEST_CASE("every role's example configuration passes config check") {
  for (const std::string role : {"agent", "gateway", "worker", "all"}) {
    INFO(role);
    const auto file = test::source_dir() / "config" / (role + ".yml");
    REQUIRE(std::filesystem::exists(file));
    std::string output;
    // The prod examples leave the master key to the environment, as they advise.
    const int code =
        test::run_command({test::sentineld_binary().string(), "--role=" + role, "config", "check",
                           "--config", file.string()},
                          &output, {{"SENTINEL_MASTER_KEY", core::to_hex(core::random_bytes(32))}});
    CHECK(code == 0);
    CHECK_THAT(output, Catch::Contains("configuration OK"));
  }
}
