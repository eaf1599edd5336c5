#include "test_routes.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "sentinel/http/json.hpp"

namespace sentinel::test {

namespace asio = boost::asio;
using http::Method;
using http::Request;
using http::Response;

TestRoutes::TestRoutes(const Config&, core::ComponentContext& context) {
  auto& server = context.get<http::Server>();
  auto& router = server.router();
  router.add(Method::kPost, "/echo", [](Request& r) -> asio::awaitable<Response> {
    co_return http::json_response(200, {{"body", r.body},
                                        {"client_ip", r.client_ip},
                                        {"peer_ip", r.peer_ip},
                                        {"subject", r.client_cert_subject},
                                        {"request_id", r.request_id}});
  });
  router.add(Method::kGet, "/slow/{ms}", [this](Request& r) -> asio::awaitable<Response> {
    asio::steady_timer timer(co_await asio::this_coro::executor,
                             std::chrono::milliseconds(std::stoi(std::string(r.param("ms")))));
    co_await timer.async_wait(asio::use_awaitable);
    if (stopped_) co_return http::error_response(503, "unavailable", "test_routes has stopped");
    co_return http::text_response(200, "slept");
  });
  router.add(Method::kGet, "/stream/{n}", [](Request& r) -> asio::awaitable<Response> {
    auto remaining = std::make_shared<int>(std::stoi(std::string(r.param("n"))));
    Response response = http::text_response(200, "", "text/event-stream");
    response.stream = [remaining]() -> asio::awaitable<std::optional<std::string>> {
      if (*remaining == 0) co_return std::nullopt;
      co_return "data: " + std::to_string((*remaining)--) + "\n\n";
    };
    co_return response;
  });
  router.add(Method::kGet, "/boom", [](Request&) -> asio::awaitable<Response> {
    throw std::runtime_error("handler failure");
    co_return http::text_response(200, "unreachable");
  });
  router.add(
      Method::kPost, "/small",
      [](Request& r) -> asio::awaitable<Response> { co_return http::text_response(200, r.body); },
      {.body_limit = 1024});
  router.add(
      Method::kGet, "/secret",
      [](Request&) -> asio::awaitable<Response> { co_return http::text_response(200, "secret"); },
      {.role = "admin"});
  server.add_filter(
      [](Request& r, const http::Route& route) -> asio::awaitable<std::optional<Response>> {
        if (route.options.role.empty() || r.headers.get("Authorization") == "Bearer admin") {
          co_return std::nullopt;
        }
        co_return http::error_response(401, "unauthenticated", "a valid bearer token is required");
      });
}

core::ComponentCatalog http_test_catalog() {
  core::ComponentCatalog catalog;
  catalog.add<http::Server>().add<TestRoutes>();
  return catalog;
}

}  // namespace sentinel::test
