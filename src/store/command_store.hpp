#pragma once
// The store of a one-off command (`sentineld migrate`, `rules`, `dlq`): the daemon's
// configuration, the same backend, no component around it.

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "sentinel/core/config.hpp"
#include "sentinel/core/metrics.hpp"
#include "sentinel/core/registry.hpp"
#include "sentinel/store/component.hpp"

#include "backend.hpp"

namespace sentinel::store {

class CommandStore {
 public:
  // Throws core::ConfigErrors for a bad configuration.
  CommandStore(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
               std::filesystem::path default_data_dir);
  ~CommandStore();
  StoreBackend& backend() { return *parts_->backend; }
  const StoreComponent::Config& config() const { return *store_config_; }

 private:
  core::ParsedConfig config_;
  const StoreComponent::Config* store_config_;  // inside config_
  core::MetricsRegistry registry_;
  std::unique_ptr<StoreParts> parts_;
};

// What store_command (sentinel/store/command.hpp) does, for commands that also need the backend:
// opens the configured store, brings its schema up to date when `migrate` (printing what it
// applied on stderr), runs `work` on a store thread and returns its exit code; 1 when the store
// fails or `work` throws, 2 for a configuration error.
int run_store_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                      std::filesystem::path default_data_dir, std::string_view command,
                      bool migrate, const std::function<int(StoreBackend&, Session&)>& work);

}  // namespace sentinel::store
