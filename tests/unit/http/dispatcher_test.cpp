#include "dispatcher.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

using namespace sentinel;
using namespace sentinel::http;
namespace asio = boost::asio;

namespace {

struct Fixture {
  core::MetricsRegistry registry;
  ServerMetrics metrics{registry};
  Router router;
  std::vector<Filter> filters;
  std::vector<std::string> lines;
  core::Logger log{std::make_shared<core::LogSink>(core::LogLevel::kDebug, core::LogFormat::kText,
                                                   [this](auto line) { lines.emplace_back(line); }),
                   "http"};

  Response dispatch(Method method, std::string path) {
    Dispatcher dispatcher(router, filters, metrics, log);
    Request request;
    request.method = method;
    request.path = std::move(path);
    request.request_id = "req-1";
    asio::io_context io;
    auto future = asio::co_spawn(io, dispatcher.dispatch(request), asio::use_future);
    io.run();
    return future.get();
  }

  std::string metrics_text() { return registry.render(); }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "filters run before the handler and may answer instead") {
  int handled = 0;
  router.add(Method::kGet, "/open", [&](Request&) -> asio::awaitable<Response> {
    ++handled;
    co_return text_response(200, "open");
  });
  router.add(Method::kGet, "/secret",
             [&](Request&) -> asio::awaitable<Response> {
               ++handled;
               co_return text_response(200, "secret");
             },
             {.role = "admin"});
  filters.push_back([](Request&, const Route& route) -> asio::awaitable<std::optional<Response>> {
    if (route.options.role.empty()) co_return std::nullopt;
    co_return error_response(401, "unauthenticated", "a bearer token is required");
  });
  CHECK(dispatch(Method::kGet, "/open").status == 200);
  CHECK(dispatch(Method::kGet, "/secret").status == 401);
  CHECK(handled == 1);
}

TEST_CASE_METHOD(Fixture,
                 "a handler that throws gets a 500 naming the request id, and a log line") {
  router.add(Method::kGet, "/boom", [](Request&) -> asio::awaitable<Response> {
    throw std::runtime_error("database exploded");
    co_return text_response(200, "unreachable");
  });
  auto response = dispatch(Method::kGet, "/boom");
  CHECK(response.status == 500);
  CHECK_THAT(response.body, Catch::Contains("req-1"));
  CHECK_THAT(response.body, !Catch::Contains("exploded"));  // internals stay in the log
  auto logged = std::find_if(lines.begin(), lines.end(), [](const auto& line) {
    return line.find("database exploded") != std::string::npos;
  });
  REQUIRE(logged != lines.end());
  CHECK_THAT(*logged, Catch::Contains("request_id=req-1"));
}

TEST_CASE_METHOD(Fixture, "requests are counted by route pattern, never by raw path") {
  router.add(Method::kGet, "/agents/{id}", [](Request& r) -> asio::awaitable<Response> {
    co_return text_response(200, std::string(r.param("id")));
  });
  CHECK(dispatch(Method::kGet, "/agents/a1").body == "a1");
  dispatch(Method::kGet, "/agents/a2");
  dispatch(Method::kGet, "/unknown/path");
  dispatch(Method::kPost, "/agents/a1");
  auto text = metrics_text();
  CHECK_THAT(
      text,
      Catch::Contains(
          "sentinel_http_requests_total{route=\"/agents/{id}\",method=\"GET\",code=\"200\"} 2"));
  CHECK_THAT(
      text, Catch::Contains(
                "sentinel_http_requests_total{route=\"unmatched\",method=\"GET\",code=\"404\"} 1"));
  CHECK_THAT(
      text,
      Catch::Contains(
          "sentinel_http_requests_total{route=\"unmatched\",method=\"POST\",code=\"405\"} 1"));
  CHECK_THAT(text, !Catch::Contains("a2"));
}

TEST_CASE_METHOD(Fixture, "every response carries the request id") {
  router.add(Method::kGet, "/x",
             [](Request&) -> asio::awaitable<Response> { co_return text_response(204, ""); });
  CHECK(dispatch(Method::kGet, "/x").headers.get("X-Request-Id") == "req-1");
  CHECK(dispatch(Method::kGet, "/nope").headers.get("X-Request-Id") == "req-1");
}

TEST_CASE("request ids are fresh and incoming ones are accepted only when plain") {
  CHECK(make_request_id() != make_request_id());
  CHECK(make_request_id().size() == 16);
  CHECK(acceptable_request_id("abc-123_x.y"));
  CHECK_FALSE(acceptable_request_id(""));
  CHECK_FALSE(acceptable_request_id("has space"));
  CHECK_FALSE(acceptable_request_id("inject\r\nheader"));
  CHECK_FALSE(acceptable_request_id(std::string(65, 'a')));
}
