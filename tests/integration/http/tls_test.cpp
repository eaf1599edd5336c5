// TLS and mTLS with certificates from scripts/gen-dev-certs.sh.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/component_harness.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "test_routes.hpp"

using namespace sentinel;

namespace {

struct Certificates {
  test::TempDir dir;
  Certificates() {
    std::string output;
    int status =
        test::run_command({"/bin/bash", (test::source_dir() / "scripts/gen-dev-certs.sh").string(),
                           dir.path().string()},
                          &output);
    if (status != 0) FAIL("gen-dev-certs.sh failed: " << output);
  }
  std::filesystem::path operator/(const char* name) const { return dir / name; }
};

struct TlsServed {
  TlsServed(const Certificates& certs, bool mutual) {
    std::map<std::string, std::string> env = {
        {"SENTINEL_HTTP_LISTEN", "127.0.0.1:0"},
        {"SENTINEL_HTTP_TLS_CERT", (certs / "server.crt").string()},
        {"SENTINEL_HTTP_TLS_KEY", (certs / "server.key").string()}};
    if (mutual) env["SENTINEL_HTTP_TLS_CLIENT_CA"] = (certs / "ca.crt").string();
    harness = std::make_unique<test::ComponentHarness>(
        catalog, std::vector<std::string>{"test_routes"}, env);
  }
  std::uint16_t port() { return harness->get<http::Server>().endpoint().port; }
  double metric(std::string_view series) { return test::metric_value(harness->metrics(), series); }

  core::ComponentCatalog catalog = test::http_test_catalog();
  std::unique_ptr<test::ComponentHarness> harness;
};

}  // namespace

TEST_CASE("TLS serves clients that trust the CA and refuses plain HTTP") {
  Certificates certs;
  TlsServed served(certs, false);
  test::HttpClient client("127.0.0.1", served.port(), test::TlsClientOptions{certs / "ca.crt"});
  CHECK(client.request("GET", "/healthz").status == 200);
  CHECK(client.request("GET", "/healthz").status == 200);  // keep-alive over TLS

  test::HttpClient plain("127.0.0.1", served.port());
  CHECK_THROWS(plain.request("GET", "/healthz"));
  CHECK(test::eventually([&] {
    return served.metric("sentinel_http_connection_errors_total{reason=\"tls_handshake\"}") == 1;
  }));
}

TEST_CASE("mTLS requires a client certificate signed by the configured CA") {
  Certificates certs;
  TlsServed served(certs, true);
  test::HttpClient trusted(
      "127.0.0.1", served.port(),
      test::TlsClientOptions{certs / "ca.crt", certs / "client.crt", certs / "client.key"});
  auto echo = nlohmann::json::parse(trusted.request("POST", "/echo", "hi").body);
  CHECK_THAT(echo["subject"].get<std::string>(), Catch::Contains("CN="));

  // Without a certificate, or with one from another CA, the handshake fails. With TLS 1.3 the
  // client learns it on its first read, so the failure may surface at the request.
  auto attempt = [&](test::TlsClientOptions options) {
    try {
      test::HttpClient client("127.0.0.1", served.port(), options);
      return client.request("GET", "/healthz").status;
    } catch (const std::exception&) {
      return 0;
    }
  };
  CHECK(attempt({certs / "ca.crt"}) == 0);
  CHECK(attempt({certs / "ca.crt", certs / "untrusted-client.crt",
                 certs / "untrusted-client.key"}) == 0);
  CHECK(test::eventually([&] {
    return served.metric("sentinel_http_connection_errors_total{reason=\"tls_handshake\"}") == 2;
  }));
  CHECK(trusted.request("GET", "/healthz").status == 200);  // the server still serves the others
}
