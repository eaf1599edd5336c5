#pragma once
// `sentineld rules ...`: check a rules file offline, list the rules the store holds.

#include <filesystem>
#include <iosfwd>

#include "sentinel/core/config.hpp"
#include "sentinel/core/registry.hpp"

namespace sentinel::alert {

// Validates a rules file; prints each error (file, line, field) and returns 1, or prints how
// many rules it holds and returns 0.
int rules_check(const std::filesystem::path& file, std::ostream& out, std::ostream& err);
// Lists the stored rules (id, source, enabled, name) with the daemon's configuration.
int rules_list(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
               std::filesystem::path default_data_dir, std::ostream& out);

}  // namespace sentinel::alert
