#include "sentinel/core/config.hpp"

#include <catch2/catch.hpp>

#include "sentinel/store/component.hpp"
#include "sentinel/store/url.hpp"

using namespace sentinel;
using namespace sentinel::store;

namespace {

struct Parsed {
  StoreComponent::Config config;
  std::string printed;
  std::vector<core::ConfigError> errors;
};

Parsed parse(std::map<std::string, std::string> environment) {
  core::ConfigInputs inputs;
  inputs.file = "/nonexistent/sentineld.yml";
  inputs.environment = std::move(environment);
  core::ConfigLoader loader(inputs);
  auto section = loader.section("store");
  Parsed parsed{StoreComponent::Config::parse(section), loader.render(), {}};
  try {
    loader.finish();
  } catch (const core::ConfigErrors& e) {
    parsed.errors = e.errors();
  }
  return parsed;
}

}  // namespace

TEST_CASE("the URL's scheme picks the backend") {
  auto empty = parse_store_url("");
  REQUIRE(empty);
  CHECK(empty->backend == Backend::kSqlite);
  CHECK(sqlite_file(*empty, "/data") == "/data/sentineld.db");

  for (std::string url : {"postgres://db.example/sentinel", "postgresql://u:p@db:5433/s?x=y"}) {
    auto parsed = parse_store_url(url);
    REQUIRE(parsed);
    CHECK(parsed->backend == Backend::kPostgres);
    CHECK(parsed->postgres == url);
  }

  auto absolute = parse_store_url("sqlite:///var/lib/x/s.db");
  REQUIRE(absolute);
  CHECK(absolute->backend == Backend::kSqlite);
  CHECK(sqlite_file(*absolute, "/data") == "/var/lib/x/s.db");

  auto relative = parse_store_url("sqlite://sub/s.db");
  REQUIRE(relative);
  CHECK(sqlite_file(*relative, "/data") == "/data/sub/s.db");
}

TEST_CASE("URLs of other schemes, and SQLite URLs without a file, are refused") {
  for (std::string url : {"mysql://h/db", "postgres:/h/db", "sqlite://", "sqlite:///",
                          "sqlite:x.db", "sqlite://x.db?mode=ro", "/var/lib/s.db"}) {
    INFO(url);
    CHECK_FALSE(parse_store_url(url));
  }
}

TEST_CASE("store config: defaults, the environment, and a masked URL in print and errors") {
  auto defaults = parse({});
  CHECK(defaults.errors.empty());
  CHECK(defaults.config.url.backend == Backend::kSqlite);
  CHECK(defaults.config.pool_size == 4);
  CHECK(defaults.config.statement_timeout == std::chrono::seconds(30));
  CHECK(defaults.config.connect_timeout == std::chrono::seconds(5));
  CHECK(defaults.config.auto_migrate);
  CHECK(defaults.config.sqlite_synchronous == SqliteSync::kFull);

  auto postgres = parse({{"SENTINEL_STORE_URL", "postgres://sentinel:hunter2@db/sentinel"},
                         {"SENTINEL_STORE_POOL_SIZE", "16"},
                         {"SENTINEL_STORE_SQLITE_SYNCHRONOUS", "normal"}});
  CHECK(postgres.errors.empty());
  CHECK(postgres.config.url.postgres == "postgres://sentinel:hunter2@db/sentinel");
  CHECK(postgres.config.pool_size == 16);
  CHECK(postgres.config.sqlite_synchronous == SqliteSync::kNormal);
  CHECK_THAT(postgres.printed, Catch::Contains("postgres://sentinel:***@db/sentinel"));
  CHECK(postgres.printed.find("hunter2") == std::string::npos);

  auto bad = parse(
      {{"SENTINEL_STORE_URL", "mysql://root:hunter2@db/x"}, {"SENTINEL_STORE_POOL_SIZE", "65"}});
  REQUIRE(bad.errors.size() == 2);
  CHECK(bad.errors[0].key == "store.url");
  CHECK(bad.errors[0].value == "mysql://root:***@db/x");
  CHECK(bad.errors[1].key == "store.pool_size");
}

TEST_CASE("auto_migrate defaults to true in dev mode and false in prod mode") {
  CHECK(parse({{"SENTINEL_MODE", "dev"}}).config.auto_migrate);
  CHECK_FALSE(parse({{"SENTINEL_MODE", "prod"}}).config.auto_migrate);
  CHECK(parse({{"SENTINEL_MODE", "prod"}, {"SENTINEL_STORE_AUTO_MIGRATE", "true"}})
            .config.auto_migrate);
}
