#include "sentinel/http/json.hpp"

namespace sentinel::http {

Response json_response(int status, const nlohmann::json& value) {
  return json_text_response(status,
                            value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::variant<nlohmann::json, Response> parse_json_body(const Request& request) {
  auto parsed = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return error_response(400, "invalid_json", "the request body is not valid JSON");
  }
  if (!parsed.is_object()) {
    return error_response(400, "invalid_json", "the request body must be a JSON object");
  }
  return parsed;
}

}  // namespace sentinel::http
