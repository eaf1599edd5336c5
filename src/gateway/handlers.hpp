#pragma once
// The agent endpoints of docs/protocol.md. Each handler is transport-free (Request in, Response
// out) and shares the gateway's Services.

#include <boost/asio/awaitable.hpp>

#include "sentinel/http/message.hpp"

#include "services.hpp"

namespace sentinel::gateway {

// POST /v1/push: authenticate every SignedBatch, check each batch, publish the good ones to the
// bus in parallel and answer each batch's status once the bus has answered for it.
boost::asio::awaitable<http::Response> handle_push(Services& services, http::Request& request);
// POST /v1/heartbeat: authenticate, persist last_seen and the host facts.
boost::asio::awaitable<http::Response> handle_heartbeat(Services& services, http::Request& request);
// POST /v1/agents/enroll: trade a bootstrap token for an agent id and a fresh key.
boost::asio::awaitable<http::Response> handle_enroll(Services& services, http::Request& request);

// Why a batch breaks the limits or its envelope, or nullopt when it is well-formed.
std::optional<std::string> batch_problem(const v1::Batch& batch, std::string_view agent_id,
                                         const BatchLimits& limits);

}  // namespace sentinel::gateway
