// `sentineld migrate [--dry-run]`, on the same configuration and backends as the daemon.

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

}  // namespace

int migrate_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                    std::filesystem::path default_data_dir, bool dry_run) {
  std::optional<CommandStore> store;
  try {
    store.emplace(catalog, std::move(inputs), std::move(default_data_dir));
  } catch (const core::ConfigErrors& e) {
    return core::report_config_errors(e);
  }
  auto& backend = store->backend();
  int status = 0;
  try {
    backend.start();
    const auto report = backend.migrate(load_migrations(embedded_migrations(backend.backend())),
                                        dry_run ? MigrateMode::kDryRun : MigrateMode::kApply);
    print_report(report, dry_run);
  } catch (const std::exception& e) {
    fmt::print(stderr, "sentineld migrate: {}\n", e.what());
    status = 1;
  }
  return status;
}

}  // namespace sentinel::store
