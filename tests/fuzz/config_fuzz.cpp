// The configuration loader over any file: the process, http and agent schemas read it, and a bad
// file ends in ConfigErrors that name the problems, never in a crash or another exception.

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "sentinel/agent/config.hpp"
#include "sentinel/core/app_config.hpp"
#include "sentinel/core/config.hpp"
#include "sentinel/http/server.hpp"

using namespace sentinel;

namespace {

std::filesystem::path scratch_file() {
  static const auto path =
      std::filesystem::temp_directory_path() / ("sentinel-config-fuzz-" + std::to_string(getpid()));
  return path;
}

void parse(const std::filesystem::path& file) {
  core::ConfigInputs inputs;
  inputs.file = file;
  inputs.file_required = true;
  core::ConfigLoader loader(inputs);
  core::ProcessConfig::parse(loader, "/var/lib/sentineld");
  auto http = loader.section("http");
  http::Server::Config::parse(http);
  auto agent = loader.section("agent");
  agent::AgentConfig::parse(agent);
  loader.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = scratch_file();
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    parse(file);
  } catch (const core::ConfigErrors& errors) {
    if (errors.errors().empty()) std::abort();  // an error report must say what is wrong
  }
  return 0;
}
