// The HTTP server on a real socket: routing, limits, timeouts, keep-alive, proxies, drain.

#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/component_harness.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"
#include "test_routes.hpp"

using namespace sentinel;
using test::HttpClient;

namespace {

using Environment = std::map<std::string, std::string>;

class Served {
 public:
  explicit Served(Environment env = {}) {
    env.emplace("SENTINEL_HTTP_LISTEN", "127.0.0.1:0");
    harness_ = std::make_unique<test::ComponentHarness>(
        catalog_, std::vector<std::string>{"test_routes"}, std::move(env));
  }
  std::uint16_t port() { return harness_->get<http::Server>().endpoint().port; }
  HttpClient client() { return HttpClient("127.0.0.1", port()); }
  double metric(std::string_view series) { return test::metric_value(harness_->metrics(), series); }
  test::ComponentHarness& harness() { return *harness_; }

 private:
  core::ComponentCatalog catalog_ = test::http_test_catalog();
  std::unique_ptr<test::ComponentHarness> harness_;
};

nlohmann::json json_of(const test::HttpReply& reply) {
  return nlohmann::json::parse(reply.body);
}

}  // namespace

TEST_CASE("health, readiness, version and metrics answer on a fresh server") {
  Served served;
  auto client = served.client();
  auto health = client.request("GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(health.body == "ok\n");
  auto ready = client.request("GET", "/readyz");
  CHECK(ready.status == 200);
  CHECK(json_of(ready)["components"]["http"] == "ready");
  CHECK(json_of(client.request("GET", "/api/v1/version")).contains("version"));
  auto metrics = client.request("GET", "/metrics");
  CHECK(metrics.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  CHECK_THAT(metrics.body,
             Catch::Contains(
                 "sentinel_http_requests_total{route=\"/healthz\",method=\"GET\",code=\"200\"} 1"));
  CHECK_THAT(metrics.body, Catch::Contains("sentinel_http_connections_open 1"));
}

TEST_CASE("unknown routes get 404 and wrong methods 405 with Allow, as JSON errors") {
  Served served;
  auto client = served.client();
  auto missing = client.request("GET", "/no/such/route");
  CHECK(missing.status == 404);
  CHECK(json_of(missing)["error"]["code"] == "not_found");
  auto wrong = client.request("DELETE", "/healthz");
  CHECK(wrong.status == 405);
  CHECK(wrong.header("Allow") == "GET, HEAD");
  CHECK(json_of(wrong)["error"]["code"] == "method_not_allowed");
  auto head = client.request("HEAD", "/healthz");
  CHECK(head.status == 200);
  CHECK(head.header("Content-Length") == "3");
  CHECK(client.request("GET", "/healthz").status == 200);  // the connection survived all of it
}

TEST_CASE("a body over the route's limit gets 413 and the connection closes") {
  Served served;
  auto client = served.client();
  CHECK(client.request("POST", "/small", std::string(1000, 'x')).status == 200);
  auto big = client.request("POST", "/small", std::string(5000, 'x'));
  CHECK(big.status == 413);
  CHECK(json_of(big)["error"]["code"] == "body_too_large");
  CHECK(client.closed_by_peer());
  CHECK(served.metric("sentinel_http_connection_errors_total{reason=\"body_too_large\"}") == 1);
}

TEST_CASE("a client still sending an over-limit body reads the 413, not a reset") {
  Served served;
  auto client = served.client();
  const std::string body(16 * 1024 * 1024, 'x');
  // Without a lingering close the server's early close makes this write fail with EPIPE or
  // ECONNRESET, and the 413 is lost.
  client.send_raw("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body);
  auto reply = client.read_reply();
  CHECK(reply.status == 413);
  CHECK(json_of(reply)["error"]["code"] == "body_too_large");
  CHECK(client.closed_by_peer());
}

TEST_CASE("Expect: 100-continue is refused early when the body would be too large") {
  Served served;
  auto client = served.client();
  auto reply = client.raw(
      "POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 99999\r\n"
      "Expect: 100-continue\r\n\r\n");
  CHECK(reply.status == 413);
  auto accepted = served.client();
  accepted.send_raw(
      "POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  CHECK(accepted.read_reply().status == 100);
  accepted.send_raw("hi");
  auto done = accepted.read_reply();
  CHECK(done.status == 200);
  CHECK(done.body == "hi");
}

TEST_CASE("oversized headers get 431 and malformed requests 400") {
  Served served(Environment{{"SENTINEL_HTTP_HEADER_LIMIT", "2KiB"}});
  auto big = served.client().request("GET", "/healthz", "", {{"X-Big", std::string(4000, 'a')}});
  CHECK(big.status == 431);
  auto garbage = served.client().raw("THIS IS NOT HTTP\r\n\r\n");
  CHECK(garbage.status == 400);
  CHECK(json_of(garbage)["error"]["code"] == "malformed_request");
  auto bad_target = served.client().raw("GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(bad_target.status == 400);
  CHECK(served.client().request("GET", "/healthz").status == 200);
}

TEST_CASE("a slow client is cut off after the request timeout and others are still served") {
  Served served(Environment{{"SENTINEL_HTTP_REQUEST_TIMEOUT", "300ms"}});
  auto slow = served.client();
  slow.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // and never the blank line
  CHECK(served.client().request("GET", "/healthz").status == 200);
  CHECK(slow.closed_by_peer());
  CHECK(test::eventually([&] {
    return served.metric("sentinel_http_connection_errors_total{reason=\"timeout\"}") == 1;
  }));
}

TEST_CASE("keep-alive serves many requests on one connection until the client says close") {
  Served served;
  auto client = served.client();
  for (int i = 0; i < 5; ++i)
    CHECK(client.request("GET", "/healthz").keep_alive);
  CHECK(served.metric("sentinel_http_connections_open") == 1);
  auto last = client.request("GET", "/healthz", "", {{"Connection", "close"}});
  CHECK(last.status == 200);
  CHECK_FALSE(last.keep_alive);
  CHECK(client.closed_by_peer());
  CHECK(test::eventually([&] { return served.metric("sentinel_http_connections_open") == 0; }));
}

TEST_CASE("connections over the limit get a 503 with Retry-After") {
  Served served(Environment{{"SENTINEL_HTTP_MAX_CONNECTIONS", "1"}});
  auto first = served.client();
  CHECK(first.request("GET", "/healthz").status == 200);
  auto second = served.client();
  auto refused = second.read_reply();
  CHECK(refused.status == 503);
  CHECK(refused.header("Retry-After") == "1");
  CHECK(json_of(refused)["error"]["code"] == "overloaded");
  CHECK(first.request("GET", "/healthz").status == 200);
}

TEST_CASE("X-Forwarded-For is ignored from untrusted peers and resolved behind trusted ones") {
  SECTION("untrusted peer") {
    Served served;
    auto echo =
        json_of(served.client().request("POST", "/echo", "", {{"X-Forwarded-For", "1.2.3.4"}}));
    CHECK(echo["client_ip"] == "127.0.0.1");
    CHECK(echo["peer_ip"] == "127.0.0.1");
  }
  SECTION("trusted proxy chain") {
    Served served(Environment{{"SENTINEL_HTTP_TRUSTED_PROXIES", "127.0.0.1/32,10.0.0.0/8"}});
    auto echo = json_of(served.client().request(
        "POST", "/echo", "", {{"X-Forwarded-For", "6.6.6.6, 198.51.100.2, 10.1.1.1"}}));
    CHECK(echo["client_ip"] == "198.51.100.2");
  }
}

TEST_CASE("request ids are echoed when plain and generated otherwise") {
  Served served;
  auto client = served.client();
  CHECK(client.request("GET", "/healthz", "", {{"X-Request-Id", "trace-abc"}})
            .header("X-Request-Id") == "trace-abc");
  auto generated = client.request("GET", "/healthz", "", {{"X-Request-Id", "bad id with spaces"}});
  CHECK(generated.header("X-Request-Id").size() == 16);
}

TEST_CASE("filters guard routes that need a role") {
  Served served;
  auto client = served.client();
  auto denied = client.request("GET", "/secret");
  CHECK(denied.status == 401);
  CHECK(json_of(denied)["error"]["code"] == "unauthenticated");
  CHECK(client.request("GET", "/secret", "", {{"Authorization", "Bearer admin"}}).body == "secret");
}

TEST_CASE("a failing handler answers 500 and the server keeps serving") {
  Served served;
  auto client = served.client();
  auto failed = client.request("GET", "/boom");
  CHECK(failed.status == 500);
  CHECK(json_of(failed)["error"]["code"] == "internal");
  CHECK(client.request("GET", "/healthz").status == 200);
}

TEST_CASE("streamed bodies arrive whole with chunked encoding") {
  Served served;
  auto reply = served.client().request("GET", "/stream/3");
  CHECK(reply.header("Transfer-Encoding") == "chunked");
  CHECK(reply.body == "data: 3\n\ndata: 2\n\ndata: 1\n\n");
}

TEST_CASE("stop lets a request in flight finish before its component stops; closes idle ones") {
  Served served;
  auto idle = served.client();
  CHECK(idle.request("GET", "/healthz").status == 200);
  test::HttpReply slow_reply;
  std::thread slow([&] { slow_reply = served.client().request("GET", "/slow/400"); });
  CHECK(test::eventually([&] { return served.metric("sentinel_http_requests_in_flight") == 1; }));
  const auto started = std::chrono::steady_clock::now();
  CHECK(served.harness().stop(std::chrono::seconds(10)));
  slow.join();
  CHECK(slow_reply.status == 200);
  CHECK(slow_reply.body == "slept");
  CHECK_FALSE(slow_reply.keep_alive);
  CHECK(idle.closed_by_peer());
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}
