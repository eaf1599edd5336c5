#include "sentinel/http/message.hpp"

#include <catch2/catch.hpp>

#include "sentinel/http/json.hpp"

using namespace sentinel::http;

TEST_CASE("targets decode path and query, and refuse bad escapes") {
  auto target =
      parse_target("/api/v1/query/range?agent=agt_1&metric=cpu%5Fusage&labels=a%3Db+c&flag");
  REQUIRE(target);
  CHECK(target->path == "/api/v1/query/range");
  REQUIRE(target->query.size() == 4);
  CHECK(target->query[1] == std::pair<std::string, std::string>{"metric", "cpu_usage"});
  CHECK(target->query[2].second == "a=b c");
  CHECK(target->query[3] == std::pair<std::string, std::string>{"flag", ""});
  CHECK(parse_target("/a%20b")->path == "/a b");
  CHECK_FALSE(parse_target("/a%2"));
  CHECK_FALSE(parse_target("/a%zz"));
  CHECK_FALSE(parse_target("http://example.com/"));
  CHECK_FALSE(parse_target("/q?x=%"));
}

TEST_CASE("headers are case-insensitive and set replaces") {
  Headers headers;
  headers.add("Content-Type", "text/plain");
  headers.add("X-A", "1");
  CHECK(headers.get("content-type") == "text/plain");
  headers.set("CONTENT-TYPE", "application/json");
  CHECK(headers.get("Content-Type") == "application/json");
  CHECK(headers.all().size() == 2);
  CHECK_FALSE(headers.get("missing"));
}

TEST_CASE("error responses carry the JSON error body") {
  auto response = error_response(413, "body_too_large", "the body is \"big\"");
  CHECK(response.status == 413);
  CHECK(response.headers.get("Content-Type") == "application/json");
  auto body = nlohmann::json::parse(response.body);
  CHECK(body["error"]["code"] == "body_too_large");
  CHECK(body["error"]["message"] == "the body is \"big\"");
}

TEST_CASE("JSON bodies that are not objects get a 400") {
  Request request;
  request.body = "[1,2]";
  auto parsed = parse_json_body(request);
  REQUIRE(std::holds_alternative<Response>(parsed));
  CHECK(std::get<Response>(parsed).status == 400);
  request.body = "{\"a\": 1}";
  CHECK(std::get<nlohmann::json>(parse_json_body(request))["a"] == 1);
  request.body = "{not json";
  CHECK(std::get<Response>(parse_json_body(request)).status == 400);
}
