#include "sentinel/store/component.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "sentinel/core/metrics.hpp"
#include "sentinel/core/registry.hpp"

#include "backends.hpp"

using namespace sentinel;
using namespace sentinel::store;
using namespace sentinel::store::test;

namespace {

std::string url_of(const StoreOptions& options) {
  return options.backend == Backend::kPostgres ? options.postgres_url
                                               : "sqlite://" + options.sqlite_file.string();
}

// The `store` component as a role would run it, configured through the environment.
class StoreRole {
 public:
  explicit StoreRole(std::map<std::string, std::string> environment) {
    catalog_.add<StoreComponent>();
    core::ConfigInputs inputs;
    inputs.file = "/nonexistent/sentineld.yml";
    inputs.environment = std::move(environment);
    config_ = core::parse_config(catalog_, inputs, data_dir_.path());
    components_ = std::make_unique<core::ComponentSet>(catalog_, config_,
                                                       core::Services{io_, sink_, metrics_});
    const std::vector<std::string> names = {"store"};
    components_->create(names);
  }
  ~StoreRole() { components_->stop(core::Clock::now() + std::chrono::seconds(10)); }

  void start() { components_->start(core::Clock::now() + std::chrono::seconds(10)); }
  StoreComponent& store() { return *components_->find<StoreComponent>(); }
  core::Readiness readiness() { return components_->readiness().at(0).readiness; }
  std::string metrics() const { return metrics_.render(); }
  const std::filesystem::path& data_dir() const { return data_dir_.path(); }

 private:
  sentinel::test::TempDir data_dir_;
  core::ComponentCatalog catalog_;
  core::ParsedConfig config_;
  boost::asio::io_context io_;
  std::shared_ptr<core::LogSink> sink_ =
      std::make_shared<core::LogSink>(core::LogLevel::kWarn, core::LogFormat::kText);
  core::MetricsRegistry metrics_;
  std::unique_ptr<core::ComponentSet> components_;
};

}  // namespace

TEMPLATE_TEST_CASE("component: without auto_migrate, an old schema stops the start with advice",
                   "[component]", SqliteBackend, PostgresBackend) {
  TestType backend;
  StoreRole role({{"SENTINEL_STORE_URL", url_of(backend.options())},
                  {"SENTINEL_STORE_AUTO_MIGRATE", "false"}});
  try {
    role.start();
    FAIL("the store started on an empty schema");
  } catch (const core::StartError& e) {
    // The latest version this binary carries, whichever migrations other subsystems add.
    const auto latest =
        format_version(shipped_migrations(backend.options().backend).back().version);
    CHECK_THAT(e.what(), Catch::Contains("schema is at 0000, this binary needs " + latest +
                                         ": run `sentineld migrate`"));
  }
}

TEMPLATE_TEST_CASE("component: with auto_migrate it migrates, serves, and reports readiness",
                   "[component]", SqliteBackend, PostgresBackend) {
  TestType backend;
  {
    StoreRole role({{"SENTINEL_STORE_URL", url_of(backend.options())}});
    CHECK_FALSE(role.readiness().ready);
    role.start();
    CHECK(role.readiness().ready);
    auto listed =
        complete(role.store().store().run([](Session& s) { return s.agents().list({}, {}); }));
    CHECK(listed.ok());
    CHECK_THAT(role.metrics(), Catch::Contains("sentinel_store_job_duration_seconds_count") &&
                                   Catch::Contains("sentinel_store_queued_jobs"));
  }
  // The schema is current now, so a start without auto_migrate succeeds.
  StoreRole strict({{"SENTINEL_STORE_URL", url_of(backend.options())},
                    {"SENTINEL_STORE_AUTO_MIGRATE", "false"}});
  CHECK_NOTHROW(strict.start());
}

TEST_CASE("component: by default the database is sentineld.db in the data directory") {
  StoreRole role({});
  role.start();
  CHECK(std::filesystem::exists(role.data_dir() / "sentineld.db"));
}
