// The master key of a process: configured, or in dev mode generated once and kept in the data dir.

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "sentinel/core/app_config.hpp"

#include "support/capture_logger.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;

namespace {

core::ProcessConfig process_in(const std::filesystem::path& data_dir, core::Mode mode) {
  core::ProcessConfig process;
  process.mode = mode;
  process.data_dir = data_dir;
  return process;
}

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  ::stat(path.c_str(), &info);
  return info.st_mode & 0777;
}

}  // namespace

TEST_CASE("dev mode generates a master key once, warns once, and keeps it for restarts") {
  test::TempDir dir;
  std::vector<std::string> lines;
  auto log = test::capture_logger(&lines);
  auto first = process_in(dir / "data", core::Mode::kDev);
  REQUIRE(core::resolve_master_key(first, log).ok());
  CHECK(first.master_key.reveal().size() == 64);
  CHECK(mode_of(dir / "data/master.key") == 0600);
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::Contains("master.key"));

  auto restarted = process_in(dir / "data", core::Mode::kDev);
  REQUIRE(core::resolve_master_key(restarted, log).ok());
  CHECK(restarted.master_key == first.master_key);
  CHECK(lines.size() == 1);
}

TEST_CASE("a configured master key is used as it is, and no file is written") {
  test::TempDir dir;
  auto process = process_in(dir.path(), core::Mode::kDev);
  process.master_key = core::Secret("configured-master-key-0123456789abcdef");
  REQUIRE(core::resolve_master_key(process, test::capture_logger()).ok());
  CHECK(process.master_key.reveal() == "configured-master-key-0123456789abcdef");
  CHECK_FALSE(std::filesystem::exists(dir / "master.key"));
}

TEST_CASE("prod mode without a master key is an error that names the setting") {
  test::TempDir dir;
  auto process = process_in(dir.path(), core::Mode::kProd);
  auto resolved = core::resolve_master_key(process, test::capture_logger());
  REQUIRE_FALSE(resolved.ok());
  CHECK_THAT(resolved.error().message, Catch::Contains("SENTINEL_MASTER_KEY"));
  CHECK_FALSE(std::filesystem::exists(dir / "master.key"));
}

TEST_CASE("a master key file that cannot be read is an error, never replaced") {
  test::TempDir dir;
  std::filesystem::create_directory(dir / "master.key");  // exists, but read() fails on it
  auto process = process_in(dir.path(), core::Mode::kDev);
  CHECK_FALSE(core::resolve_master_key(process, test::capture_logger()).ok());
  CHECK(std::filesystem::is_directory(dir / "master.key"));
}
