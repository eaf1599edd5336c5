// The security suite: every numbered check of docs/security.md against real sentineld
// processes, in order, one line each, then the total; any FAIL fails the test.

#include <chrono>
#include <iostream>
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "check.hpp"
#include "lab.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;

namespace {

// Runs one check; "" when it passed, else why it failed.
std::string run_check(const security::Check& check, security::Lab& lab) {
  try {
    check.run(lab);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

// "| S01 | title |" rows of docs/security.md's table of checks.
std::vector<std::pair<std::string, std::string>> documented_checks() {
  const auto text = test::read_file(test::source_dir() / "docs/security.md");
  const std::regex row(R"(^\| (S\d+) \| (.+?) \|)");
  std::vector<std::pair<std::string, std::string>> checks;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_search(line, match, row)) checks.emplace_back(match[1], match[2]);
  }
  return checks;
}

}  // namespace

TEST_CASE("security suite: every numbered check passes against real sentineld processes") {
  security::Lab lab;
  const auto& checks = security::security_checks();
  std::size_t passed = 0;
  for (const auto& check : checks) {
    const auto started = std::chrono::steady_clock::now();
    const auto failure = run_check(check, lab);
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (failure.empty()) {
      ++passed;
      std::cout << fmt::format("{} PASS {} ({:.1f} s)\n", check.id, check.title, seconds);
    } else {
      std::cout << fmt::format("{} FAIL {}: {}\n", check.id, check.title, failure);
      FAIL_CHECK(check.id << " " << check.title << ": " << failure);
    }
    std::cout.flush();
  }
  std::cout << fmt::format("security: {}/{} PASS\n", passed, checks.size());
  CHECK(passed == checks.size());
}

TEST_CASE("security suite: docs/security.md lists exactly the checks the suite runs") {
  const auto documented = documented_checks();
  const auto& checks = security::security_checks();
  CHECK(documented.size() == checks.size());
  for (std::size_t i = 0; i < std::min(documented.size(), checks.size()); ++i) {
    INFO(checks[i].id);
    CHECK(documented[i].first == checks[i].id);
    CHECK(documented[i].second == checks[i].title);
  }
}
