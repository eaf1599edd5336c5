// What an exec plugin prints is not ours to trust: both parsers take any bytes, report problems
// per line, and every sample they return has a name.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/plugins/exposition.hpp"

using namespace sentinel::agent;

namespace {

void check(const ParsedOutput& output) {
  for (const auto& sample : output.samples) {
    if (sample.name.empty()) std::abort();
  }
  for (const auto& problem : output.problems) {
    if (problem.line == 0 || problem.reason.empty()) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check(parse_prometheus_text(text));
  check(parse_json_lines(text));
  return 0;
}
