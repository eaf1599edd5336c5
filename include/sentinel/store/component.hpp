#pragma once
// The `store` component: reads `store.*`, opens the backend the URL names, brings the schema up
// to date (or refuses to start on an old one) and lends the Store to the components that need
// it. `sentineld migrate` runs the same migrations from the command line.

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>

#include "sentinel/core/component.hpp"
#include "sentinel/core/config.hpp"
#include "sentinel/core/registry.hpp"
#include "sentinel/store/store.hpp"
#include "sentinel/store/url.hpp"

namespace sentinel::store {

// FULL: a committed transaction survives a power cut (an acked sample must). NORMAL: it
// survives a crash of the process but may be lost with the last moments before a power cut.
enum class SqliteSync { kFull, kNormal };

struct StoreParts;

class StoreComponent final : public core::Component {
 public:
  static constexpr std::string_view kName = "store";

  struct Config {
    StoreUrl url;  // empty: SQLite in the data directory
    std::size_t pool_size = 4;
    core::Duration statement_timeout = std::chrono::seconds(30);
    core::Duration connect_timeout = std::chrono::seconds(5);
    bool auto_migrate = true;  // the default follows the mode: true in dev, false in prod
    SqliteSync sqlite_synchronous = SqliteSync::kFull;
    static Config parse(core::ConfigSection& section);
  };

  StoreComponent(const Config& config, core::ComponentContext& context);
  ~StoreComponent() override;

  Store& store();

  // Connects, then migrates (auto_migrate) or throws when the schema is older than this binary.
  void start() override;
  void stop(core::Deadline deadline) override;
  core::Readiness readiness() const override;

 private:
  core::Logger log_;
  bool auto_migrate_;
  std::unique_ptr<StoreParts> parts_;  // the backend, private to src/store
};

// `sentineld migrate [--dry-run]`: reads the configuration, then prints what it applied (or
// would apply). Returns the exit code: 0 on success, 1 when migrating failed, 2 for a
// configuration error.
int migrate_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                    std::filesystem::path default_data_dir, bool dry_run);

// For one-off commands on the configured database (`sentineld token create`): reads the
// configuration, opens the store, applies pending migrations, runs `work` on an event loop of
// its own and stops the store. Returns the exit code `work` gives, 1 when the store failed, 2
// for a configuration error.
int with_store(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
               std::filesystem::path default_data_dir,
               const std::function<boost::asio::awaitable<int>(Store&)>& work);

}  // namespace sentinel::store
