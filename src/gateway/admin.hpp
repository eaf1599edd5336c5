#pragma once
// The admin API under /api/v1 (JSON; errors as http::error_response): agents, fleet, events,
// bootstrap tokens, API tokens and the OpenAPI document generated from the router.

#include <nlohmann/json.hpp>

#include "sentinel/gateway/auth.hpp"
#include "sentinel/http/router.hpp"

#include "services.hpp"

namespace sentinel::gateway {

void add_agent_routes(http::Router& router, Services& services);
void add_token_routes(http::Router& router, Services& services, Auth& auth);
void add_openapi_route(http::Router& router);

// An OpenAPI 3 document listing every route of `router` with its summary and the role it needs.
nlohmann::json openapi_document(const http::Router& router);

// A handler that calls `fn(services, request)`.
template <class Fn>
http::Handler route_to(Services& services, Fn fn) {
  return [&services, fn](http::Request& request) { return fn(services, request); };
}

}  // namespace sentinel::gateway
