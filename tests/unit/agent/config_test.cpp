#include "sentinel/agent/config.hpp"

#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"

using namespace sentinel;

namespace {

// Parses the `agent` section of `yaml`; the errors, if any, joined.
std::pair<agent::AgentConfig, std::string> parse(const std::string& yaml,
                                                 std::map<std::string, std::string> env = {}) {
  test::TempDir dir;
  core::ConfigInputs inputs;
  inputs.file = dir.write("sentineld.yml", yaml);
  inputs.file_required = true;
  inputs.environment = std::move(env);
  core::ConfigLoader loader(inputs);
  auto section = loader.section("agent");
  auto config = agent::AgentConfig::parse(section);
  try {
    loader.finish();
  } catch (const core::ConfigErrors& e) {
    return {config, e.what()};
  }
  return {config, ""};
}

}  // namespace

TEST_CASE("agent defaults are sensible and every documented key is read") {
  auto [defaults, none] = parse("agent: {}\n");
  CHECK(none.empty());
  CHECK(defaults.interval == std::chrono::seconds(10));
  CHECK(defaults.wal_fsync_always);
  CHECK(defaults.collect.cpu.enabled);
  CHECK_FALSE(defaults.collect.synthetic.enabled);

  auto [config, errors] = parse(R"(
agent:
  gateway_url: https://gateway.example:8443/
  bootstrap_token: tok
  interval: 1s
  wal_dir: /var/lib/x/wal
  wal_max_size: 1GiB
  wal_max_age: 24h
  wal_fsync: 50ms
  labels: {env: prod, dc: eu}
  heartbeat_interval: 15s
  compression: none
  collect:
    processes: {enabled: false}
    network: {exclude: ["veth*"]}
    synthetic: {enabled: true, rate: 500, series: 4}
  exec:
    - name: mail
      command: [/usr/local/bin/mailq-metrics, --json]
      format: json
      interval: 30s
      env: {LANG: C}
)");
  CHECK(errors.empty());
  CHECK(config.gateway_url == "https://gateway.example:8443/");
  CHECK(config.bootstrap_token.reveal() == "tok");
  CHECK(config.interval == std::chrono::seconds(1));
  CHECK(config.wal_max_size.bytes == 1ULL << 30);
  CHECK_FALSE(config.wal_fsync_always);
  CHECK(config.wal_fsync_interval == std::chrono::milliseconds(50));
  CHECK(config.labels.at("dc") == "eu");
  CHECK(config.compression == agent::Compression::kNone);
  CHECK_FALSE(config.collect.processes.enabled);
  CHECK(config.collect.network.exclude == std::vector<std::string>{"veth*"});
  CHECK(config.collect.synthetic.rate == 500);
  REQUIRE(config.exec.size() == 1);
  CHECK(config.exec[0].format == agent::PluginFormat::kJsonLines);
  CHECK(config.exec[0].env.at("LANG") == "C");
}

TEST_CASE("the environment overrides agent keys") {
  auto [config, errors] = parse("agent: {interval: 30s}\n", {{"SENTINEL_AGENT_INTERVAL", "5s"}});
  CHECK(errors.empty());
  CHECK(config.interval == std::chrono::seconds(5));
}

TEST_CASE("bad agent settings are errors that name the key") {
  CHECK_THAT(parse("agent: {interval: 500ms}\n").second, Catch::Contains("agent.interval"));
  CHECK_THAT(parse("agent: {wal_fsync: sometimes}\n").second, Catch::Contains("agent.wal_fsync"));
  CHECK_THAT(parse("agent: {gateway_url: gateway:8443}\n").second,
             Catch::Contains("agent.gateway_url"));
  CHECK_THAT(parse("agent: {tls_cert: /etc/hosts, gateway_url: https://g}\n").second,
             Catch::Contains("agent.tls_key"));
  CHECK_THAT(parse("agent: {tls_ca: /etc/hosts}\n").second, Catch::Contains("https://"));
  CHECK_THAT(parse("agent: {wal_max_size: 10MiB, wal_segment_size: 8MiB}\n").second,
             Catch::Contains("agent.wal_max_size"));
  CHECK_THAT(parse("agent: {labels: {\"bad-name\": x}}\n").second, Catch::Contains("agent.labels"));
  CHECK_THAT(parse("agent: {exec: [{name: a, command: [relative/path]}]}\n").second,
             Catch::Contains("agent.exec[0].command"));
  CHECK_THAT(parse("agent: {exec: [{name: a, command: [/bin/true]}, {name: a, command: "
                   "[/bin/true]}]}\n")
                 .second,
             Catch::Contains("agent.exec[1].name"));
  CHECK_THAT(parse("agent: {collect: {cpu: {enabeld: true}}}\n").second,
             Catch::Contains("agent.collect.cpu.enabeld"));
}
