#include "support/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace sentinel::test {

TempDir::TempDir() {
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate =
        std::filesystem::temp_directory_path() / fmt::format("sentinel-test-{:08x}", random());
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("could not create a temporary directory");
}

TempDir::~TempDir() {
  if (const char* keep = std::getenv("SENTINEL_TEST_KEEP_DIRS");
      keep && std::string_view(keep) == "1") {
    fmt::print(stderr, "kept {}\n", path_.string());
    return;
  }
  std::error_code ignored_because_cleanup_is_best_effort;
  std::filesystem::remove_all(path_, ignored_because_cleanup_is_best_effort);
}

std::filesystem::path TempDir::write(std::string_view name, std::string_view text) const {
  auto file = path_ / name;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error(fmt::format("cannot write {}", file.string()));
  return file;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace sentinel::test
