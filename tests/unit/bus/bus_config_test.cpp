#include <catch2/catch.hpp>

#include "sentinel/bus/bus_component.hpp"
#include "sentinel/core/registry.hpp"

#include "support/temp_dir.hpp"

using namespace sentinel;
using namespace std::chrono_literals;
using bus::BusComponent;

namespace {

core::ComponentCatalog catalog() {
  core::ComponentCatalog catalog;
  catalog.add<BusComponent>();
  return catalog;
}

core::ParsedConfig parse(const std::string& yaml, const test::TempDir& dir) {
  core::ConfigInputs inputs;
  inputs.file = dir.write("sentineld.yml", yaml);
  inputs.file_required = true;
  return core::parse_config(catalog(), inputs, dir.path());
}

const BusComponent::Config& bus_config(const core::ParsedConfig& parsed) {
  return std::any_cast<const BusComponent::Config&>(parsed.components.at("bus"));
}

std::string errors_of(const std::string& yaml) {
  test::TempDir dir;
  try {
    parse(yaml, dir);
  } catch (const core::ConfigErrors& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("with no url the bus runs in process, with the documented defaults") {
  test::TempDir dir;
  auto parsed = parse("{}", dir);
  const auto& config = bus_config(parsed);
  CHECK(config.in_process());
  CHECK(config.stream.name == "SENTINEL_METRICS");
  CHECK(config.stream.subjects == std::vector<std::string>{"sentinel.metrics.>"});
  CHECK(config.stream.max_age == std::chrono::days(7));
  CHECK(config.stream.max_bytes == -1);
  CHECK(config.stream.duplicate_window == 2min);
  CHECK(config.stream.replicas == 1);
  CHECK(config.max_pending == 10'000);
  CHECK(config.publish_timeout == 5s);
}

TEST_CASE("NATS settings are read from the bus section") {
  test::TempDir dir;
  auto seed = dir.write("user.nk", "SUAxxx");
  auto parsed = parse(fmt::format(R"(
bus:
  url: [nats://app:hunter2@n1:4222, nats://n2:4222]
  stream: {{name: TEST_STREAM, subjects: [test.>], max_age: 1d, max_bytes: 10GiB, duplicate_window: 5m, replicas: 3}}
  auth: {{nkey: UABC, nkey_seed_file: {}}}
  max_pending: 500
)",
                                  seed.string()),
                      dir);
  const auto& config = bus_config(parsed);
  CHECK_FALSE(config.in_process());
  CHECK(config.url.size() == 2);
  CHECK(config.stream.name == "TEST_STREAM");
  CHECK(config.stream.subjects == std::vector<std::string>{"test.>"});
  CHECK(config.stream.max_bytes == 10LL << 30);
  CHECK(config.stream.replicas == 3);
  CHECK(config.auth.nkey_seed_file == seed);
  CHECK(config.max_pending == 500);
  CHECK(parsed.effective_yaml.find("hunter2") == std::string::npos);
}

TEST_CASE("bad bus settings are config errors naming the key") {
  CHECK_THAT(errors_of("bus: {url: http://n1:4222}"), Catch::Contains("bus.url"));
  CHECK_THAT(errors_of("bus: {url: [inproc, nats://n1:4222]}"), Catch::Contains("bus.url"));
  CHECK_THAT(errors_of("bus: {stream: {name: a.b}}"), Catch::Contains("bus.stream.name"));
  CHECK_THAT(errors_of("bus: {stream: {max_bytes: lots}}"),
             Catch::Contains("bus.stream.max_bytes"));
  CHECK_THAT(errors_of("bus: {stream: {max_age: 1m}}"),
             Catch::Contains("bus.stream.duplicate_window"));
  CHECK_THAT(errors_of("bus: {auth: {password: x}}"), Catch::Contains("bus.auth.password"));
  CHECK_THAT(errors_of("bus: {auth: {nkey: UABC}}"), Catch::Contains("bus.auth.nkey_seed_file"));
  CHECK_THAT(errors_of("bus: {auth: {creds_file: /nonexistent}}"),
             Catch::Contains("bus.auth.creds_file"));
  CHECK_THAT(errors_of("bus: {tls: {cert: /nonexistent}}"), Catch::Contains("bus.tls.key"));
  CHECK_THAT(errors_of("bus: {max_pending: 0}"), Catch::Contains("bus.max_pending"));
}
