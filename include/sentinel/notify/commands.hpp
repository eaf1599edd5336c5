#pragma once
// `sentineld dlq list|replay ID|drop ID`: the notifications that failed every attempt.

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>

#include "sentinel/core/config.hpp"
#include "sentinel/core/registry.hpp"

namespace sentinel::notify {

enum class DlqAction { kList, kReplay, kDrop };

// Returns 0 on success, 1 when the store fails or no dead letter has the id, 2 for a
// configuration error.
int dlq_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                std::filesystem::path default_data_dir, DlqAction action, std::int64_t id,
                std::ostream& out);

}  // namespace sentinel::notify
