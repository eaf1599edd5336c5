#pragma once
// Batches the gateway will never accept (REJECTED), parked under <wal_dir>/dead-letter so that
// they are neither resent in a loop nor lost without a trace: `<batch id>.batch` holds the
// serialized Batch and `<batch id>.reason` why it was refused.

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "sentinel/core/result.hpp"

namespace sentinel::agent {

class DeadLetters {
 public:
  explicit DeadLetters(std::filesystem::path dir) : dir_(std::move(dir)) {}
  core::Status park(std::uint64_t batch_id, std::string_view batch, std::string_view reason);
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace sentinel::agent
