#include <catch2/catch.hpp>

#include "sentinel/http/server.hpp"

#include "support/temp_dir.hpp"

using namespace sentinel;

namespace {

std::vector<core::ConfigError> errors_for(std::map<std::string, std::string> env) {
  core::ConfigInputs inputs;
  inputs.environment = std::move(env);
  core::ConfigLoader loader(inputs);
  auto section = loader.section("http");
  http::Server::Config::parse(section);
  try {
    loader.finish();
  } catch (const core::ConfigErrors& e) {
    return e.errors();
  }
  return {};
}

}  // namespace

TEST_CASE("endpoints parse IPv4, IPv6 and localhost, and nothing else") {
  CHECK(http::parse_endpoint("127.0.0.1:8080")->to_string() == "127.0.0.1:8080");
  CHECK(http::parse_endpoint("[::1]:0")->to_string() == "[::1]:0");
  CHECK(http::parse_endpoint("localhost:9")->host == "127.0.0.1");
  for (auto bad :
       {"8080", ":8080", "127.0.0.1:", "127.0.0.1:70000", "example.com:80", "1.2.3.4:x"}) {
    INFO(bad);
    CHECK_FALSE(http::parse_endpoint(bad));
  }
}

TEST_CASE("http config errors name the key") {
  auto errors = errors_for({{"SENTINEL_HTTP_LISTEN", "nowhere"},
                            {"SENTINEL_HTTP_TRUSTED_PROXIES", "10.0.0.0/8,bogus"},
                            {"SENTINEL_HTTP_TLS_CERT", "/nonexistent/cert.pem"}});
  std::vector<std::string> keys;
  for (const auto& e : errors)
    keys.push_back(e.key);
  CHECK(keys == std::vector<std::string>{"http.listen", "http.trusted_proxies", "http.tls.key",
                                         "http.tls.cert"});
}

TEST_CASE("mTLS without TLS is refused") {
  test::TempDir dir;
  auto ca = dir.write("ca.pem", "x");
  auto errors = errors_for({{"SENTINEL_HTTP_TLS_CLIENT_CA", ca.string()}});
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].key == "http.tls.client_ca");
}
