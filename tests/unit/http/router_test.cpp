#include "sentinel/http/router.hpp"

#include <catch2/catch.hpp>

using namespace sentinel::http;

namespace {

Handler named(std::string name) {
  return
      [name](Request&) -> boost::asio::awaitable<Response> { co_return text_response(200, name); };
}

}  // namespace

TEST_CASE("literal segments beat parameters, parameters beat rest") {
  Router router;
  router.add(Method::kGet, "/api/v1/agents/{id}", named("by id"));
  router.add(Method::kGet, "/api/v1/agents/stats", named("stats"));
  router.add(Method::kGet, "/ui/{path*}", named("ui"));
  router.add(Method::kGet, "/ui/index.html", named("index"));

  auto by_id = router.match(Method::kGet, "/api/v1/agents/agt_1");
  REQUIRE(by_id.route != nullptr);
  CHECK(by_id.route->pattern == "/api/v1/agents/{id}");
  CHECK(by_id.params.at("id") == "agt_1");
  CHECK(router.match(Method::kGet, "/api/v1/agents/stats").route->pattern ==
        "/api/v1/agents/stats");
  CHECK(router.match(Method::kGet, "/ui/index.html").route->pattern == "/ui/index.html");
  auto rest = router.match(Method::kGet, "/ui/js/app.js");
  CHECK(rest.params.at("path") == "js/app.js");
}

TEST_CASE("a path without the method lists the allowed methods; HEAD follows GET") {
  Router router;
  router.add(Method::kGet, "/things/{id}", named("get"));
  router.add(Method::kDelete, "/things/{id}", named("delete"));
  auto post = router.match(Method::kPost, "/things/1");
  CHECK(post.route == nullptr);
  CHECK(post.allowed == std::vector<Method>{Method::kGet, Method::kDelete, Method::kHead});
  CHECK(router.match(Method::kHead, "/things/1").route->method == Method::kGet);
  auto none = router.match(Method::kGet, "/nothing");
  CHECK(none.route == nullptr);
  CHECK(none.allowed.empty());
}

TEST_CASE("parameters never match an empty segment and paths must match in length") {
  Router router;
  router.add(Method::kGet, "/a/{id}", named("a"));
  CHECK(router.match(Method::kGet, "/a/").route == nullptr);
  CHECK(router.match(Method::kGet, "/a/1/2").route == nullptr);
  CHECK(router.match(Method::kGet, "/a").route == nullptr);
}

TEST_CASE("bad patterns and duplicates are refused") {
  Router router;
  router.add(Method::kGet, "/x", named("x"));
  CHECK_THROWS_AS(router.add(Method::kGet, "/x", named("again")), std::invalid_argument);
  CHECK_THROWS_AS(router.add(Method::kGet, "no-slash", named("bad")), std::invalid_argument);
  CHECK_THROWS_AS(router.add(Method::kGet, "/{rest*}/more", named("bad")), std::invalid_argument);
  CHECK_THROWS_AS(router.add(Method::kGet, "/a{b}", named("bad")), std::invalid_argument);
  CHECK_NOTHROW(router.add(Method::kPost, "/x", named("post")));
}
