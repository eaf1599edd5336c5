// The routes every role serves: liveness, readiness, metrics and version.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sentinel/core/metrics.hpp"
#include "sentinel/core/version.hpp"
#include "sentinel/http/json.hpp"
#include "sentinel/http/server.hpp"

namespace sentinel::http {

namespace {

boost::asio::awaitable<Response> readiness_report(const core::ComponentContext& context) {
  nlohmann::json components = nlohmann::json::object();
  std::vector<std::string> waiting;
  for (const auto& status : context.readiness()) {
    components[status.name] = status.readiness.ready ? "ready" : status.readiness.reason;
    if (!status.readiness.ready) {
      waiting.push_back(fmt::format("{} ({})", status.name, status.readiness.reason));
    }
  }
  if (waiting.empty())
    co_return json_response(200, {{"status", "ready"}, {"components", components}});
  nlohmann::json body = {{"error",
                          {{"code", "not_ready"},
                           {"message", fmt::format("not ready: {}", fmt::join(waiting, ", "))}}},
                         {"components", components}};
  co_return json_response(503, body);
}

}  // namespace

void Server::add_builtin_routes(core::ComponentContext& context) {
  router_.add(
      Method::kGet, "/healthz",
      [](Request&) -> boost::asio::awaitable<Response> { co_return text_response(200, "ok\n"); },
      {.summary = "The process is alive."});
  router_.add(Method::kGet, "/readyz", [&context](Request&) { return readiness_report(context); },
              {.summary = "Every started component is ready; 503 lists those that are not."});
  router_.add(Method::kGet, "/metrics",
              [&context](Request&) -> boost::asio::awaitable<Response> {
                co_return text_response(200, context.metrics().render(),
                                        "text/plain; version=0.0.4; charset=utf-8");
              },
              {.role = config_.metrics_public ? "" : "viewer",
               .summary = "Self-metrics in the Prometheus text format."});
  router_.add(Method::kGet, "/api/v1/version",
              [](Request&) -> boost::asio::awaitable<Response> {
                co_return json_response(
                    200, {{"version", core::version()}, {"commit", core::git_commit()}});
              },
              {.summary = "The version of this sentineld."});
}

}  // namespace sentinel::http
