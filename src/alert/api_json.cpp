#include "api_json.hpp"

#include <charconv>

#include <fmt/format.h>

#include "sentinel/core/crypto.hpp"
#include "sentinel/http/json.hpp"

namespace sentinel::alert {

nlohmann::json to_json(const store::AlertInstanceRow& r) {
  nlohmann::json out = {{"id", r.fingerprint},
                        {"fingerprint", r.fingerprint},
                        {"rule_id", r.rule_id},
                        {"rule_name", r.rule_name},
                        {"agent_id", r.agent_id},
                        {"labels", r.labels},
                        {"annotations", r.annotations},
                        {"severity", r.severity},
                        {"state", r.state},
                        {"value", r.value},
                        {"pending_since", r.pending_since},
                        {"firing_since", r.firing_since},
                        {"resolved_at", r.resolved_at},
                        {"updated_at", r.updated_at},
                        {"acknowledged", r.acked_at.has_value()}};
  if (r.acked_at) {
    out["ack"] = {{"at", *r.acked_at}, {"by", r.acked_by}, {"note", r.ack_note}};
  }
  return out;
}

nlohmann::json to_json(const store::AlertEventRow& r) {
  return {{"id", r.id},
          {"fingerprint", r.fingerprint},
          {"rule_id", r.rule_id},
          {"rule_name", r.rule_name},
          {"agent_id", r.agent_id},
          {"severity", r.severity},
          {"state", r.state},
          {"previous_state", r.previous_state},
          {"value", r.value},
          {"labels", r.labels},
          {"annotations", r.annotations},
          {"silenced", r.silenced},
          {"at", r.at}};
}

nlohmann::json to_json(const store::SilenceRow& r) {
  return {{"id", r.id},
          {"matchers", r.matchers},
          {"starts_at", r.starts_at},
          {"ends_at", r.ends_at},
          {"comment", r.comment},
          {"created_by", r.created_by},
          {"created_at", r.created_at}};
}

nlohmann::json rule_json(const store::AlertRuleRow& row) {
  auto out = nlohmann::json::parse(row.definition, nullptr, false);
  if (!out.is_object()) out = nlohmann::json::object();
  out["id"] = row.id;
  out["source"] = row.source;
  out["enabled"] = row.enabled;
  out["created_at"] = row.created_at;
  out["updated_at"] = row.updated_at;
  return out;
}

http::Response field_errors(const std::vector<RuleError>& errors) {
  auto fields = nlohmann::json::array();
  std::string message;
  for (const auto& e : errors) {
    fields.push_back({{"field", e.field}, {"message", e.message}});
    message += (message.empty() ? "" : "; ") + e.to_string();
  }
  return http::json_response(
      400, {{"error", {{"code", "invalid_argument"}, {"message", message}, {"fields", fields}}}});
}

http::Response store_failure(const core::Error& error) {
  if (error.code == "conflict") return http::error_response(409, "conflict", error.message);
  if (error.code == "invalid_argument")
    return http::error_response(400, "invalid_argument", error.message);
  if (error.transient) return http::error_response(503, "unavailable", error.message);
  return http::error_response(500, "internal", error.message);
}

std::optional<std::int64_t> integer_param(const http::Request& request, std::string_view name,
                                          std::optional<http::Response>& error) {
  const auto text = request.query_param(name);
  if (!text) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) {
    error = http::error_response(400, "invalid_argument",
                                 fmt::format("query parameter {} must be an integer", name));
    return std::nullopt;
  }
  return value;
}

store::PageRequest page_request(const http::Request& request,
                                std::optional<http::Response>& error) {
  store::PageRequest page;
  if (auto limit = integer_param(request, "limit", error)) {
    if (*limit < 1 || *limit > 1000) {
      error = http::error_response(400, "invalid_argument", "limit must be within 1..1000");
    } else {
      page.limit = static_cast<std::size_t>(*limit);
    }
  }
  page.cursor = std::string(request.query_param("cursor").value_or(""));
  return page;
}

std::string new_id(std::string_view prefix) {
  return std::string(prefix) + core::to_base64url(core::random_bytes(16));
}

}  // namespace sentinel::alert
