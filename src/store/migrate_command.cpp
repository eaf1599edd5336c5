// `sentineld migrate [--dry-run]` and other one-off commands on the configured database, with
// the same configuration and backends as the daemon.

#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include "sentinel/core/daemon.hpp"
#include "sentinel/store/component.hpp"

#include "command_store.hpp"

namespace sentinel::store {
namespace {

void print_report(const MigrationReport& report, bool dry_run) {
  for (const auto& file : report.files)
    fmt::print("{} {}\n", dry_run ? "would apply" : "applied", file);
  if (report.files.empty()) {
    fmt::print("schema is up to date at {}\n", format_version(report.to));
  } else if (dry_run) {
    fmt::print("schema is at {}; migrating would bring it to {}\n", format_version(report.from),
               format_version(report.latest));
  } else {
    fmt::print("schema was at {}, is now at {}\n", format_version(report.from),
               format_version(report.to));
  }
}

// Opens the configured store for a one-off command (CommandStore), runs `body`; the store stops
// when it goes out of scope.
template <class Body>
int with_backend(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                 std::filesystem::path default_data_dir, Body body) {
  std::optional<CommandStore> store;
  try {
    store.emplace(catalog, std::move(inputs), std::move(default_data_dir));
  } catch (const core::ConfigErrors& e) {
    return core::report_config_errors(e);
  }
  try {
    store->backend().start();
    return body(store->backend(), store->config());
  } catch (const std::exception& e) {
    fmt::print(stderr, "sentineld: {}\n", e.what());
    return 1;
  }
}

}  // namespace

int migrate_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                    std::filesystem::path default_data_dir, bool dry_run) {
  return with_backend(catalog, std::move(inputs), std::move(default_data_dir),
                      [dry_run](StoreBackend& backend, const StoreComponent::Config&) {
                        const auto report =
                            backend.migrate(load_migrations(embedded_migrations(backend.backend())),
                                            dry_run ? MigrateMode::kDryRun : MigrateMode::kApply);
                        print_report(report, dry_run);
                        return 0;
                      });
}

int with_store(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
               std::filesystem::path default_data_dir,
               const std::function<boost::asio::awaitable<int>(Store&)>& work) {
  return with_backend(
      catalog, std::move(inputs), std::move(default_data_dir),
      [&](StoreBackend& backend, const StoreComponent::Config& config) {
        // As the store component would: migrate when allowed, else refuse an old schema.
        const auto report =
            backend.migrate(load_migrations(embedded_migrations(backend.backend())),
                            config.auto_migrate ? MigrateMode::kApply : MigrateMode::kDryRun);
        if (!config.auto_migrate && !report.files.empty()) {
          fmt::print(stderr,
                     "sentineld: schema is at {}, this binary needs {}: run `sentineld migrate`\n",
                     format_version(report.from), format_version(report.latest));
          return 1;
        }
        boost::asio::io_context io;
        int status = 1;
        boost::asio::co_spawn(
            io, [&]() -> boost::asio::awaitable<void> { status = co_await work(backend); },
            [](std::exception_ptr error) {
              if (error) std::rethrow_exception(error);
            });
        io.run();
        return status;
      });
}

}  // namespace sentinel::store
