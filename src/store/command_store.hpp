#pragma once
// The store of a one-off command (`sentineld migrate`, `rules`, `dlq`): the daemon's
// configuration, the same backend, no component around it.

#include <filesystem>
#include <memory>
#include <optional>

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

}  // namespace sentinel::store
