#pragma once
// One-off commands on the configured store (`sentineld rules`, `sentineld dlq`), beside
// `sentineld migrate` (component.hpp).

#include <filesystem>
#include <functional>
#include <string>
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

// `sentineld export [--since 30d] [--output FILE]`: writes the configured store's data to an
// archive (stdout for "-", the default). `since` is a duration back from now ("30d") or an
// RFC 3339 time; empty exports every sample. Returns 0, 1 when exporting failed, 2 for a
// configuration or usage error.
struct ExportRequest {
  std::string since;
  std::string output = "-";
};
int export_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                   std::filesystem::path default_data_dir, const ExportRequest& request);

// `sentineld import FILE`: migrates the configured store, then writes the archive into it
// ("-": stdin). A file is read through once before anything is written, so a damaged one is
// refused with nothing stored. Returns 0, 1 when the archive or the store failed, 2 for a
// configuration or usage error.
int import_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                   std::filesystem::path default_data_dir, const std::string& input);

}  // namespace sentinel::store
