#include "sentinel/http/client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include "support/local_server.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace sentinel;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

// Runs one client exchange to completion on a private event loop.
core::Result<http::ClientResponse> exchange(http::Client& client, asio::io_context& io,
                                            http::ClientRequest request) {
  std::optional<core::Result<http::ClientResponse>> result;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> { result.emplace(co_await client.send(std::move(request))); },
      [](std::exception_ptr error) {
        if (error) std::rethrow_exception(error);
      });
  io.restart();
  io.run();
  return std::move(*result);
}

http::ClientRequest post(std::string target, std::string body) {
  http::ClientRequest request;
  request.method = http::Method::kPost;
  request.target = std::move(target);
  request.body = std::move(body);
  request.headers.set("Content-Type", "text/plain");
  return request;
}

void add_echo_route(test::LocalHttpServer& server) {
  server.router().add(http::Method::kPost, "/echo",
                      [](http::Request& request) -> asio::awaitable<http::Response> {
                        auto response = http::text_response(200, request.body);
                        response.headers.set("X-Subject", request.client_cert_subject);
                        co_return response;
                      });
}

double open_connections(test::LocalHttpServer& server) {
  return server.metrics().gauge("sentinel_http_connections_open", "").value();
}

// Development certificates from the project's script, made once per test.
struct Certificates {
  Certificates() {
    test::ChildProcess script(
        {{"/bin/bash", SENTINEL_SOURCE_DIR "/scripts/gen-dev-certs.sh", dir.path().string()},
         {},
         dir / "gen.log"});
    REQUIRE(script.wait(60s) == 0);
  }
  std::string operator[](std::string_view name) const { return (dir / name).string(); }
  test::TempDir dir;
};

}  // namespace

TEST_CASE("URLs are split into scheme, host, port and target") {
  auto url = http::parse_url("https://gateway.example:8443/v1/push?x=1");
  REQUIRE(url);
  CHECK(url->tls);
  CHECK(url->host == "gateway.example");
  CHECK(url->port == 8443);
  CHECK(url->target == "/v1/push?x=1");
  CHECK(url->origin() == "https://gateway.example:8443");

  url = http::parse_url("http://[::1]");
  REQUIRE(url);
  CHECK(url->host == "::1");
  CHECK(url->port == 80);
  CHECK(url->target == "/");
  CHECK(url->origin() == "http://[::1]:80");

  CHECK(http::parse_url("https://h")->port == 443);
  CHECK_FALSE(http::parse_url("ftp://h"));
  CHECK_FALSE(http::parse_url("http://"));
  CHECK_FALSE(http::parse_url("http://user:pw@h/"));
  CHECK_FALSE(http::parse_url("http://h:99999/"));
  CHECK_FALSE(http::parse_url("http://h:x/"));
}

TEST_CASE("requests on one client reuse a kept-alive connection") {
  test::LocalHttpServer server;
  add_echo_route(server);
  server.start();
  asio::io_context io;
  http::Client client(io.get_executor(), *http::parse_url(server.url()), {});
  for (int i = 0; i < 5; ++i) {
    auto response = exchange(client, io, post("/echo", fmt::format("hello {}", i)));
    REQUIRE(response.ok());
    CHECK(response->status == 200);
    CHECK(response->body == fmt::format("hello {}", i));
    CHECK(response->headers.get("Content-Type") == "text/plain; charset=utf-8");
  }
  CHECK(open_connections(server) == 1);
  auto missing = exchange(client, io, post("/nowhere", ""));
  REQUIRE(missing.ok());
  CHECK(missing->status == 404);
}

TEST_CASE("a connection the server closed while idle is replaced without an error") {
  test::LocalHttpServer server(test::ServerSettings{{"http.idle_timeout", "1s"}});
  add_echo_route(server);
  server.start();
  asio::io_context io;
  http::Client client(io.get_executor(), *http::parse_url(server.url()), {});
  REQUIRE(exchange(client, io, post("/echo", "one")).ok());
  REQUIRE(test::eventually([&] { return open_connections(server) == 0; }));
  auto second = exchange(client, io, post("/echo", "two"));
  REQUIRE(second.ok());
  CHECK(second->body == "two");
}

TEST_CASE("a slow server and a large response end in errors, not hangs") {
  test::LocalHttpServer server;
  server.router().add(http::Method::kGet, "/slow",
                      [](http::Request&) -> asio::awaitable<http::Response> {
                        asio::steady_timer timer(co_await asio::this_coro::executor, 500ms);
                        co_await timer.async_wait(asio::use_awaitable);
                        co_return http::text_response(200, "late");
                      });
  server.router().add(http::Method::kGet, "/large",
                      [](http::Request&) -> asio::awaitable<http::Response> {
                        co_return http::text_response(200, std::string(4096, 'x'));
                      });
  server.start();
  asio::io_context io;
  http::Client client(io.get_executor(), *http::parse_url(server.url()),
                      {.request_timeout = 50ms, .response_body_limit = 1024});
  http::ClientRequest slow;
  slow.target = "/slow";
  auto timed_out = exchange(client, io, slow);
  REQUIRE_FALSE(timed_out.ok());
  CHECK(timed_out.error().code == "timeout");
  CHECK(timed_out.error().transient);

  http::ClientRequest large;
  large.target = "/large";
  auto too_large = exchange(client, io, large);
  REQUIRE_FALSE(too_large.ok());
  CHECK(too_large.error().code == "response_too_large");
}

TEST_CASE("a closed port is a connect error") {
  std::string url;
  {
    test::LocalHttpServer server;
    server.start();
    url = server.url();
  }
  asio::io_context io;
  http::Client client(io.get_executor(), *http::parse_url(url), {});
  auto result = exchange(client, io, post("/echo", "x"));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "connect");
}

TEST_CASE(
    "TLS verifies the server against the pinned CA and its name, and presents a client "
    "certificate") {
  Certificates certs;
  test::LocalHttpServer server(test::ServerSettings{{"http.tls.cert", certs["server.crt"]},
                                                    {"http.tls.key", certs["server.key"]},
                                                    {"http.tls.client_ca", certs["ca.crt"]}});
  add_echo_route(server);
  server.start();
  const auto url = *http::parse_url(server.url());
  REQUIRE(url.tls);
  asio::io_context io;

  http::Client trusted(io.get_executor(), url,
                       {.tls = {certs["ca.crt"], certs["client.crt"], certs["client.key"]}});
  auto response = exchange(trusted, io, post("/echo", "secure"));
  REQUIRE(response.ok());
  CHECK(response->body == "secure");
  CHECK_THAT(std::string(*response->headers.get("X-Subject")), Catch::Contains("CN="));

  http::Client stranger(io.get_executor(), url, {.tls = {certs["untrusted-ca.crt"], {}, {}}});
  auto refused = exchange(stranger, io, post("/echo", "x"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "tls");

  http::Client anonymous(io.get_executor(), url, {.tls = {certs["ca.crt"], {}, {}}});
  CHECK_FALSE(exchange(anonymous, io, post("/echo", "x")).ok());
}

TEST_CASE("TLS refuses a certificate issued for another host") {
  Certificates certs;
  test::LocalHttpServer server(test::ServerSettings{{"http.listen", "127.0.0.2:0"},
                                                    {"http.tls.cert", certs["server.crt"]},
                                                    {"http.tls.key", certs["server.key"]}});
  add_echo_route(server);
  server.start();
  asio::io_context io;
  http::Client client(io.get_executor(), *http::parse_url(server.url()),
                      {.tls = {certs["ca.crt"], {}, {}}});
  auto result = exchange(client, io, post("/echo", "x"));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "tls");
}

TEST_CASE("a missing CA file is a configuration error naming the file") {
  asio::io_context io;
  CHECK_THROWS_WITH(http::Client(io.get_executor(), *http::parse_url("https://h"),
                                 {.tls = {"/nonexistent/ca.pem", {}, {}}}),
                    Catch::Contains("/nonexistent/ca.pem"));
}
