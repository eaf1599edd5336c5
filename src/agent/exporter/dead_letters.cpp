#include "agent/exporter/dead_letters.hpp"

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "sentinel/core/durable_file.hpp"

namespace sentinel::agent {

core::Status DeadLetters::park(std::uint64_t batch_id, std::string_view batch,
                               std::string_view reason) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return core::Error{"io", fmt::format("create {}: {}", dir_.string(), ec.message())};
  const auto stem = fmt::format("{:020}", batch_id);
  if (auto written = core::write_file_atomically(dir_ / (stem + ".batch"), batch, 0600); !written) {
    return written;
  }
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return core::write_file_atomically(
      dir_ / (stem + ".reason"),
      fmt::format("batch {}\nparked {:%Y-%m-%dT%H:%M:%S}Z\nreason {}\n", batch_id, now, reason),
      0600);
}

}  // namespace sentinel::agent
