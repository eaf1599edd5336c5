#include "sentinel/core/config.hpp"

#include <catch2/catch.hpp>

#include "support/temp_dir.hpp"

using namespace sentinel::core;
using namespace std::chrono_literals;
using sentinel::test::TempDir;

namespace {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  Duration timeout = 30s;
  ByteSize body_limit = 1_MiB;
  int workers = 4;
  bool tls = false;
  std::vector<std::string> proxies;
  std::map<std::string, std::string> labels;
  Secret key;

  void parse(ConfigSection s) {
    s.read("listen", listen);
    s.read("timeout", timeout, Range<Duration>{1s, 1h});
    s.read("body_limit", body_limit, Range<ByteSize>{1_KiB, 1_GiB});
    s.read("workers", workers, Range<int>{1, 64});
    s.read("tls", tls);
    s.read("proxies", proxies);
    s.read("labels", labels);
    s.read("key", key, SecretKind::kOwned, false);
  }
};

ConfigInputs inputs_for(const std::filesystem::path& file) {
  ConfigInputs inputs;
  inputs.file = file;
  inputs.file_required = true;
  return inputs;
}

std::vector<ConfigError> errors_of(ConfigInputs inputs) {
  try {
    ConfigLoader loader(std::move(inputs));
    ServerConfig config;
    config.parse(loader.section("server"));
    loader.finish();
  } catch (const ConfigErrors& e) {
    return e.errors();
  }
  return {};
}

}  // namespace

TEST_CASE("defaults apply when there is no file") {
  ConfigInputs inputs;
  inputs.file = "/nonexistent/sentineld.yml";
  ConfigLoader loader(inputs);
  ServerConfig config;
  config.parse(loader.section("server"));
  loader.finish();
  CHECK(config.listen == "127.0.0.1:8080");
  CHECK(config.timeout == 30s);
  CHECK(loader.mode() == Mode::kDev);
}

TEST_CASE("values come from the file, then the environment, then flags") {
  TempDir dir;
  auto file = dir.write("s.yml",
                        "server:\n  listen: 0.0.0.0:1\n  timeout: 5m\n  workers: 8\n"
                        "  proxies: [10.0.0.0/8, 192.168.0.0/16]\n  labels: {dc: eu1}\n");
  auto inputs = inputs_for(file);
  inputs.environment["SENTINEL_SERVER_LISTEN"] = "0.0.0.0:2";
  inputs.environment["SENTINEL_SERVER_WORKERS"] = "16";
  inputs.flags["server.listen"] = "0.0.0.0:3";
  ConfigLoader loader(inputs);
  ServerConfig config;
  config.parse(loader.section("server"));
  loader.finish();
  CHECK(config.listen == "0.0.0.0:3");
  CHECK(config.workers == 16);
  CHECK(config.timeout == 5min);
  CHECK(config.proxies == std::vector<std::string>{"10.0.0.0/8", "192.168.0.0/16"});
  CHECK(config.labels == std::map<std::string, std::string>{{"dc", "eu1"}});
}

TEST_CASE("lists and maps can be given in the environment") {
  ConfigInputs inputs;
  inputs.environment["SENTINEL_SERVER_PROXIES"] = "10.0.0.0/8,127.0.0.1/32";
  inputs.environment["SENTINEL_SERVER_LABELS"] = "dc=eu1,rack=7";
  ConfigLoader loader(inputs);
  ServerConfig config;
  config.parse(loader.section("server"));
  loader.finish();
  CHECK(config.proxies.size() == 2);
  CHECK(config.labels.at("rack") == "7");
}

TEST_CASE("every error names where it came from, the key, the value and what was expected") {
  TempDir dir;
  auto file = dir.write("bad.yml",
                        "server:\n  timeout: 30\n  workers: 100\n  tls: maybe\n  lisen: x\n"
                        "  body_limit: 5XB\nunknown_section:\n  a: 1\n");
  auto inputs = inputs_for(file);
  inputs.environment["SENTINEL_SERVER_LISTEN"] = "fine";
  auto errors = errors_of(inputs);
  REQUIRE(errors.size() == 6);
  auto text = [&](std::string_view key) {
    for (const auto& e : errors) {
      if (e.key == key) return e.to_string();
    }
    return std::string("<no error for key>");
  };
  CHECK(text("server.timeout") ==
        file.string() +
            ":2: server.timeout: \"30\" is invalid: expected a duration between 1s "
            "and 1h (like 250ms, 30s, 5m, 1h)");
  CHECK_THAT(text("server.workers"), Catch::Contains("an integer between 1 and 64"));
  CHECK_THAT(text("server.tls"), Catch::Contains("\"maybe\" is invalid: expected true or false"));
  CHECK_THAT(text("server.lisen"), Catch::Contains(":5: server.lisen: expected a known key"));
  CHECK_THAT(text("server.body_limit"), Catch::Contains("a size between 1KiB and 1GiB"));
  CHECK_THAT(text("unknown_section"), Catch::Contains("known section"));
}

TEST_CASE("an environment value that does not convert names the variable") {
  ConfigInputs inputs;
  inputs.environment["SENTINEL_SERVER_TIMEOUT"] = "soon";
  auto errors = errors_of(inputs);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].origin == "environment SENTINEL_SERVER_TIMEOUT");
}

TEST_CASE("a flag that does not convert names the flag") {
  ConfigInputs inputs;
  inputs.flags["server.workers"] = "many";
  inputs.flag_names["server.workers"] = "--workers";
  auto errors = errors_of(inputs);
  REQUIRE(errors.size() == 1);
  CHECK(
      errors[0].to_string() ==
      "flag --workers: server.workers: \"many\" is invalid: expected an integer between 1 and 64");
}

TEST_CASE("a map where a value was expected is an error") {
  TempDir dir;
  auto errors = errors_of(inputs_for(dir.write("s.yml", "server:\n  listen: {a: b}\n")));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].expected == "a string");
}

TEST_CASE("a YAML syntax error names the file and line") {
  TempDir dir;
  auto file = dir.write("s.yml", "server:\n  listen: [unclosed\n");
  REQUIRE_THROWS_AS(ConfigLoader(inputs_for(file)), ConfigErrors);
  try {
    ConfigLoader loader(inputs_for(file));
  } catch (const ConfigErrors& e) {
    CHECK_THAT(e.what(), Catch::StartsWith(file.string() + ":"));
    CHECK_THAT(e.what(), Catch::Contains("valid YAML"));
  }
}

TEST_CASE("a file named explicitly must exist") {
  auto errors = [] {
    try {
      ConfigLoader loader(inputs_for("/nonexistent/x.yml"));
    } catch (const ConfigErrors& e) {
      return e.errors();
    }
    return std::vector<ConfigError>{};
  }();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].expected == "a readable configuration file");
}

TEST_CASE("secrets are masked in the effective configuration") {
  ConfigInputs inputs;
  inputs.environment["SENTINEL_SERVER_KEY"] = "0123456789abcdef0123456789abcdef-real";
  ConfigLoader loader(inputs);
  ServerConfig config;
  config.parse(loader.section("server"));
  loader.finish();
  CHECK(config.key.reveal() == "0123456789abcdef0123456789abcdef-real");
  CHECK(loader.render().find("0123456789") == std::string::npos);
  CHECK_THAT(loader.render(), Catch::Contains("key: \"***\""));
  CHECK(fmt::format("{}", config.key) == "***");
}

TEST_CASE("a masked value is read whole but printed and reported through its mask") {
  ConfigInputs inputs;
  inputs.environment["SENTINEL_SERVER_URL"] = "db://user:hunter2@host/x";
  ConfigLoader loader(inputs);
  auto section = loader.section("server");
  std::string url;
  auto hide = [](std::string_view text) {
    std::string shown(text);
    auto at = shown.find("hunter2");
    return at == std::string::npos ? shown : shown.replace(at, 7, "***");
  };
  section.read("url", url, hide);
  CHECK(url == "db://user:hunter2@host/x");
  CHECK_THAT(loader.render(), Catch::Contains("db://user:***@host/x"));
  section.fail("url", "a better url");
  try {
    loader.finish();
    FAIL("finish() accepted a failed key");
  } catch (const ConfigErrors& e) {
    REQUIRE(e.errors().size() == 1);
    CHECK(e.errors()[0].value == "db://user:***@host/x");
  }
  CHECK(loader.render().find("hunter2") == std::string::npos);
}

TEST_CASE("passwords in URLs are masked in the effective configuration") {
  ConfigInputs inputs;
  inputs.environment["SENTINEL_BUS_URL"] = "nats://a:hunter2@n1:4222,nats://n2:4222";
  ConfigLoader loader(inputs);
  std::vector<std::string> urls;
  loader.section("bus").read("url", urls, mask_url_password);
  loader.finish();
  CHECK(urls == std::vector<std::string>{"nats://a:hunter2@n1:4222", "nats://n2:4222"});
  CHECK(loader.render().find("hunter2") == std::string::npos);
  CHECK_THAT(loader.render(), Catch::Contains("nats://a:***@n1:4222"));
}

TEST_CASE("prod mode refuses weak, well-known and example secrets; dev mode warns") {
  for (const std::string& weak :
       std::vector<std::string>{"short", "changeme", "REPLACE-ME-with-32-random-bytes-from-openssl",
                                std::string(40, 'a')}) {
    ConfigInputs inputs;
    inputs.environment["SENTINEL_SERVER_KEY"] = weak;
    ConfigLoader dev(inputs);
    ServerConfig config;
    config.parse(dev.section("server"));
    CHECK_NOTHROW(dev.finish());
    CHECK(dev.warnings().size() == 1);

    inputs.environment["SENTINEL_ENV"] = "prod";
    auto errors = errors_of(inputs);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].key == "server.key");
    CHECK(errors[0].value.empty());  // the secret itself is never repeated in a message
  }
}

TEST_CASE("a required secret that is missing is an error in prod mode") {
  ConfigInputs inputs;
  inputs.environment["SENTINEL_MODE"] = "prod";
  ConfigLoader loader(inputs);
  Secret key;
  loader.root().read("master_key", key, SecretKind::kOwned, true);
  REQUIRE_THROWS_AS(loader.finish(), ConfigErrors);
}

TEST_CASE("lists of maps are sections of their own") {
  TempDir dir;
  auto file = dir.write("s.yml",
                        "agent:\n  exec:\n    - name: a\n      timeout: 1s\n    - name: b\n"
                        "      timeut: 2s\n");
  ConfigLoader loader(inputs_for(file));
  std::vector<std::string> names;
  for (auto& item : loader.section("agent").list("exec")) {
    std::string name;
    Duration timeout = 5s;
    item.read("name", name);
    item.read("timeout", timeout, Range<Duration>{1ms, 1h});
    names.push_back(name);
  }
  CHECK(names == std::vector<std::string>{"a", "b"});
  try {
    loader.finish();
    FAIL("expected the typo to be reported");
  } catch (const ConfigErrors& e) {
    REQUIRE(e.errors().size() == 1);
    CHECK(e.errors()[0].key == "agent.exec[1].timeut");
  }
}

TEST_CASE("read_enum accepts only its choices") {
  enum class Color { kRed, kBlue };
  ConfigInputs inputs;
  inputs.environment["SENTINEL_PAINT_COLOR"] = "green";
  ConfigLoader loader(inputs);
  Color color = Color::kRed;
  loader.section("paint").read_enum("color", color, {{"red", Color::kRed}, {"blue", Color::kBlue}});
  try {
    loader.finish();
    FAIL("expected an error");
  } catch (const ConfigErrors& e) {
    CHECK(e.errors()[0].expected == "one of: red, blue");
  }
}
