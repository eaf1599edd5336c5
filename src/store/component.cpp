#include "sentinel/store/component.hpp"

#include <fmt/format.h>

#include "sentinel/core/config_types.hpp"

#include "backend.hpp"

namespace sentinel::store {
namespace {

void log_report(const core::Logger& log, const MigrationReport& report) {
  for (const auto& file : report.files)
    log.info("applied migration {}", file);
  log.info("schema at {}", format_version(report.to));
}

}  // namespace

StoreComponent::Config StoreComponent::Config::parse(core::ConfigSection& section) {
  using namespace std::chrono_literals;
  Config config;
  std::string url;
  section.read("url", url, core::mask_url_password);
  if (auto parsed = parse_store_url(url)) {
    config.url = std::move(*parsed);
  } else {
    section.fail("url",
                 "postgres://... or postgresql://... (PostgreSQL), sqlite:///absolute/path.db or "
                 "sqlite://path/relative/to/data_dir.db (SQLite), or empty for SQLite in data_dir");
  }
  section.read("pool_size", config.pool_size, core::Range<std::size_t>{1, 64});
  section.read("statement_timeout", config.statement_timeout,
               core::Range<core::Duration>{100ms, 1h});
  section.read("connect_timeout", config.connect_timeout, core::Range<core::Duration>{1s, 5min});
  config.auto_migrate = section.mode() == core::Mode::kDev;
  section.read("auto_migrate", config.auto_migrate);
  section.read_enum("sqlite_synchronous", config.sqlite_synchronous,
                    {{"full", SqliteSync::kFull}, {"normal", SqliteSync::kNormal}});
  return config;
}

StoreComponent::StoreComponent(const Config& config, core::ComponentContext& context)
    : log_(context.logger(kName)),
      auto_migrate_(config.auto_migrate),
      parts_(std::make_unique<StoreParts>(
          context.metrics(), store_options(config, context.process().data_dir), log_)) {}

StoreComponent::~StoreComponent() = default;

Store& StoreComponent::store() {
  return *parts_->backend;
}

void StoreComponent::start() {
  auto& backend = *parts_->backend;
  backend.start();
  const auto migrations = load_migrations(embedded_migrations(backend.backend()));
  if (auto_migrate_) {
    log_report(log_, backend.migrate(migrations, MigrateMode::kApply));
    return;
  }
  const auto report = backend.migrate(migrations, MigrateMode::kDryRun);
  if (!report.files.empty()) {
    throw std::runtime_error(
        fmt::format("schema is at {}, this binary needs {}: run `sentineld migrate` (or set "
                    "store.auto_migrate: true)",
                    format_version(report.from), format_version(report.latest)));
  }
}

void StoreComponent::stop(core::Deadline deadline) {
  parts_->backend->stop(deadline);
}

core::Readiness StoreComponent::readiness() const {
  return parts_->backend->readiness();
}

}  // namespace sentinel::store
