// The OpenAPI 3 document, generated from the router itself so that it cannot drift from the
// routes; a test walks it against the router all the same.

#include <algorithm>
#include <cctype>

#include "sentinel/core/version.hpp"
#include "sentinel/http/json.hpp"

#include "admin.hpp"

namespace sentinel::gateway {
namespace {

using nlohmann::json;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "{path*}" is our pattern syntax; OpenAPI knows only "{path}".
std::string openapi_path(const std::string& pattern) {
  std::string out = pattern;
  for (auto at = out.find("*}"); at != std::string::npos; at = out.find("*}"))
    out.erase(at, 1);
  return out;
}

json parameters(const std::string& pattern) {
  json list = json::array();
  for (auto open = pattern.find('{'); open != std::string::npos;
       open = pattern.find('{', open + 1)) {
    auto name = pattern.substr(open + 1, pattern.find('}', open) - open - 1);
    if (!name.empty() && name.back() == '*') name.pop_back();
    list.push_back(
        {{"name", name}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
  }
  return list;
}

}  // namespace

json openapi_document(const http::Router& router) {
  json paths = json::object();
  for (const auto& route : router.routes()) {
    json operation = {{"summary", route.options.summary},
                      {"responses", {{"default", {{"description", "see docs/protocol.md"}}}}}};
    if (auto params = parameters(route.pattern); !params.empty()) operation["parameters"] = params;
    const bool api = route.pattern.starts_with("/api/v1");
    if (!route.options.role.empty() || api) {
      const auto role = route.options.role.empty() ? std::string("viewer") : route.options.role;
      operation["security"] = json::array({{{"bearer", json::array()}}});
      operation["x-sentinel-role"] = role;
    }
    paths[openapi_path(route.pattern)][lower(http::to_string(route.method))] = operation;
  }
  return {
      {"openapi", "3.0.3"},
      {"info", {{"title", "sentineld"}, {"version", std::string(core::version())}}},
      {"components", {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
      {"paths", paths}};
}

void add_openapi_route(http::Router& router) {
  router.add(
      http::Method::kGet, "/api/v1/openapi.json",
      [&router](http::Request&) -> boost::asio::awaitable<http::Response> {
        co_return http::json_response(200, openapi_document(router));
      },
      {.role = "viewer", .summary = "This document: every route, generated from the router."});
}

}  // namespace sentinel::gateway
