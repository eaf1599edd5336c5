#pragma once
// One-off commands on the configured store (`sentineld rules`, `sentineld dlq`), beside
// `sentineld migrate` (component.hpp).

#include <filesystem>
#include <functional>
#include <string_view>

#include "sentinel/core/config.hpp"
#include "sentinel/core/registry.hpp"

namespace sentinel::store {

class Session;

// Opens the store the configuration names (no migrations run), runs `work` on a store thread
// and returns its exit code. Returns 1 when the store cannot be opened or `work` throws a
// StoreError (printed as "sentineld <command>: ..."), 2 for a configuration error.
int store_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                  std::filesystem::path default_data_dir, std::string_view command,
                  const std::function<int(Session&)>& work);

}  // namespace sentinel::store
