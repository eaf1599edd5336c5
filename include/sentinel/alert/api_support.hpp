#pragma once
// Answers the alerting and notification APIs share: field errors, store failures, query
// parameters and new ids.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/alert/rule.hpp"
#include "sentinel/core/result.hpp"
#include "sentinel/http/message.hpp"
#include "sentinel/store/agents.hpp"

namespace sentinel::alert {

// 400 with every field error: {"error": {"code": "invalid_argument", "message", "fields": [...]}}.
http::Response field_errors(const std::vector<RuleError>& errors);
// The answer for a failed store job: 409 conflict, 400 invalid argument, 503 when transient.
http::Response store_failure(const core::Error& error);

// A query parameter that must be an integer; `error` is set when it is present but is not.
std::optional<std::int64_t> integer_param(const http::Request& request, std::string_view name,
                                          std::optional<http::Response>& error);
// `limit` (1..1000, default 100) and `cursor`.
store::PageRequest page_request(const http::Request& request, std::optional<http::Response>& error);

// "rul_", "sil_", ... and 22 characters of base64url.
std::string new_id(std::string_view prefix);

}  // namespace sentinel::alert
