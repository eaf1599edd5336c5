#pragma once
// JSON responses built from nlohmann::json values, and JSON request bodies parsed with a 400
// answer ready when they are malformed.

#include <variant>

#include <nlohmann/json.hpp>

#include "sentinel/http/message.hpp"

namespace sentinel::http {

Response json_response(int status, const nlohmann::json& value);

// The parsed body, or the 400 response to send when it is not a JSON object.
std::variant<nlohmann::json, Response> parse_json_body(const Request& request);

}  // namespace sentinel::http
