#include "api.hpp"

#include <fmt/format.h>

#include "sentinel/alert/notification.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/http/json.hpp"
#include "sentinel/store/session.hpp"

#include "api_json.hpp"

namespace sentinel::alert {

namespace asio = boost::asio;
using http::Method;
using http::Request;
using http::Response;

namespace {

std::string who(const Request& request) {
  return request.principal.empty() ? "anonymous" : request.principal;
}

// The rule in a request body, validated; `id` and `source` are the server's to set.
std::variant<Rule, Response> rule_from(const Request& request, std::string id) {
  auto body = http::parse_json_body(request);
  if (auto* response = std::get_if<Response>(&body)) return std::move(*response);
  auto& json = std::get<nlohmann::json>(body);
  json.erase("id");
  json.erase("source");
  json.erase("created_at");
  json.erase("updated_at");
  auto parsed = parse_rule(json);
  if (auto* errors = std::get_if<std::vector<RuleError>>(&parsed)) return field_errors(*errors);
  auto rule = std::get<Rule>(std::move(parsed));
  rule.id = std::move(id);
  rule.source = RuleSource::kApi;
  return rule;
}

Response not_found(std::string_view what, std::string_view id) {
  return http::error_response(404, "not_found", fmt::format("no {} {}", what, id));
}

Response read_only(const store::AlertRuleRow& row) {
  return http::error_response(
      409, "read_only",
      fmt::format("rule {} comes from the rules file; change it there and reload", row.name));
}

}  // namespace

void AlertApi::add_routes(http::Router& router) {
  auto bind = [this](auto method) {
    return [this, method](Request& request) { return (this->*method)(request); };
  };
  router.add(Method::kGet, "/api/v1/rules", bind(&AlertApi::list_rules),
             {.role = "viewer", .summary = "Alert rules, from the API and the rules file."});
  router.add(Method::kGet, "/api/v1/rules/{id}", bind(&AlertApi::get_rule),
             {.role = "viewer", .summary = "One alert rule."});
  router.add(Method::kPost, "/api/v1/rules", bind(&AlertApi::create_rule),
             {.role = "admin", .summary = "Create an alert rule; 400 names each invalid field."});
  router.add(Method::kPut, "/api/v1/rules/{id}", bind(&AlertApi::update_rule),
             {.role = "admin", .summary = "Replace an API rule (file rules are read-only)."});
  router.add(Method::kDelete, "/api/v1/rules/{id}", bind(&AlertApi::delete_rule),
             {.role = "admin", .summary = "Delete an API rule; its alerts resolve."});
  router.add(Method::kGet, "/api/v1/alerts", bind(&AlertApi::list_alerts),
             {.role = "viewer",
              .summary = "Alert transitions (state, severity, agent, rule, from, to, limit, "
                         "cursor), or the active alerts with active=true."});
  router.add(Method::kPost, "/api/v1/alerts/{id}/ack", bind(&AlertApi::acknowledge),
             {.role = "admin", .summary = "Acknowledge an active alert with a note."});
  router.add(Method::kGet, "/api/v1/silences", bind(&AlertApi::list_silences),
             {.role = "viewer", .summary = "Current and future silences (all=true: every one)."});
  router.add(Method::kPost, "/api/v1/silences", bind(&AlertApi::create_silence),
             {.role = "admin", .summary = "Silence the alerts whose labels match, for a while."});
  router.add(Method::kDelete, "/api/v1/silences/{id}", bind(&AlertApi::expire_silence),
             {.role = "admin", .summary = "End a silence now."});
}

asio::awaitable<Response> AlertApi::list_rules(Request&) {
  auto rows = co_await store_().run([](store::Session& s) { return s.alerts().list_rules(); },
                                    store::Access::kRead);
  if (!rows) co_return store_failure(rows.error());
  auto list = nlohmann::json::array();
  for (const auto& row : *rows)
    list.push_back(rule_json(row));
  co_return http::json_response(200, {{"rules", list}});
}

asio::awaitable<Response> AlertApi::get_rule(Request& request) {
  const std::string id(request.param("id"));
  auto row = co_await store_().run([&](store::Session& s) { return s.alerts().get_rule(id); },
                                   store::Access::kRead);
  if (!row) co_return store_failure(row.error());
  if (!*row) co_return not_found("rule", id);
  co_return http::json_response(200, rule_json(**row));
}

asio::awaitable<Response> AlertApi::create_rule(Request& request) {
  auto parsed = rule_from(request, new_id("rul_"));
  if (auto* response = std::get_if<Response>(&parsed)) co_return std::move(*response);
  const auto& rule = std::get<Rule>(parsed);
  const auto now = core::unix_ms();
  const store::AlertRuleRow row{rule.id,      rule.name, "api", rule_to_json(rule).dump(),
                                rule.enabled, now,       now};
  auto done = co_await store_().run([&](store::Session& s) {
    s.alerts().put_rule(row);
    return core::Unit{};
  });
  if (!done) co_return store_failure(done.error());
  refresh_requested_ = true;
  co_return http::json_response(201, rule_json(row));
}

asio::awaitable<Response> AlertApi::update_rule(Request& request) {
  const std::string id(request.param("id"));
  auto parsed = rule_from(request, id);
  if (auto* response = std::get_if<Response>(&parsed)) co_return std::move(*response);
  const auto& rule = std::get<Rule>(parsed);
  const auto now = core::unix_ms();
  store::AlertRuleRow row{rule.id,      rule.name, "api", rule_to_json(rule).dump(),
                          rule.enabled, now,       now};
  std::optional<store::AlertRuleRow> before;
  auto done = co_await store_().run([&](store::Session& s) {
    s.transaction([&] {
      before = s.alerts().get_rule(id);
      if (!before || before->source != "api") return;
      row.created_at = before->created_at;
      s.alerts().put_rule(row);
    });
    return core::Unit{};
  });
  if (!done) co_return store_failure(done.error());
  if (!before) co_return not_found("rule", id);
  if (before->source != "api") co_return read_only(*before);
  refresh_requested_ = true;
  co_return http::json_response(200, rule_json(row));
}

asio::awaitable<Response> AlertApi::delete_rule(Request& request) {
  const std::string id(request.param("id"));
  std::optional<store::AlertRuleRow> before;
  auto done = co_await store_().run([&](store::Session& s) {
    s.transaction([&] {
      before = s.alerts().get_rule(id);
      if (before && before->source == "api") s.alerts().delete_rule(id);
    });
    return core::Unit{};
  });
  if (!done) co_return store_failure(done.error());
  if (!before) co_return not_found("rule", id);
  if (before->source != "api") co_return read_only(*before);
  refresh_requested_ = true;
  co_return Response{204, {}, {}, {}};
}

asio::awaitable<Response> AlertApi::list_alerts(Request& request) {
  std::optional<Response> error;
  store::AlertEventFilter filter;
  auto text = [&](std::string_view name) -> std::optional<std::string> {
    auto value = request.query_param(name);
    return value ? std::optional<std::string>(*value) : std::nullopt;
  };
  filter.state = text("state");
  filter.severity = text("severity");
  filter.agent_id = text("agent");
  filter.rule_id = text("rule");
  filter.from = integer_param(request, "from", error);
  filter.to = integer_param(request, "to", error);
  const auto page = page_request(request, error);
  if (error) co_return std::move(*error);
  if (request.query_param("active") == "true") {
    auto rows = co_await store_().run([](store::Session& s) { return s.alerts().list_instances(); },
                                      store::Access::kRead);
    if (!rows) co_return store_failure(rows.error());
    auto list = nlohmann::json::array();
    for (const auto& row : *rows) {
      const bool active = row.state == "pending" || row.state == "firing";
      if (!active || (filter.state && row.state != *filter.state) ||
          (filter.severity && row.severity != *filter.severity) ||
          (filter.agent_id && row.agent_id != *filter.agent_id) ||
          (filter.rule_id && row.rule_id != *filter.rule_id))
        continue;
      list.push_back(to_json(row));
    }
    co_return http::json_response(200, {{"alerts", list}});
  }
  auto events =
      co_await store_().run([&](store::Session& s) { return s.alerts().list_events(filter, page); },
                            store::Access::kRead);
  if (!events) co_return store_failure(events.error());
  auto list = nlohmann::json::array();
  for (const auto& event : events->events)
    list.push_back(to_json(event));
  co_return http::json_response(200, {{"events", list}, {"next_cursor", events->next_cursor}});
}

asio::awaitable<Response> AlertApi::acknowledge(Request& request) {
  const std::string id(request.param("id"));
  std::string note;
  if (!request.body.empty()) {
    auto body = http::parse_json_body(request);
    if (auto* response = std::get_if<Response>(&body)) co_return std::move(*response);
    const auto& json = std::get<nlohmann::json>(body);
    if (json.contains("note") && !json["note"].is_string())
      co_return field_errors({{"note", "expected a string"}});
    note = json.value("note", "");
  }
  const auto by = who(request);
  const auto at = core::unix_ms();
  auto found = co_await store_().run(
      [&](store::Session& s) { return s.alerts().acknowledge(id, by, note, at); });
  if (!found) co_return store_failure(found.error());
  if (!*found) co_return not_found("active alert", id);
  refresh_requested_ = true;
  co_return http::json_response(200,
                                {{"id", id}, {"ack", {{"at", at}, {"by", by}, {"note", note}}}});
}

asio::awaitable<Response> AlertApi::list_silences(Request& request) {
  std::optional<std::int64_t> now;
  if (request.query_param("all") != "true") now = core::unix_ms();
  auto rows = co_await store_().run([&](store::Session& s) { return s.silences().list(now); },
                                    store::Access::kRead);
  if (!rows) co_return store_failure(rows.error());
  auto list = nlohmann::json::array();
  for (const auto& row : *rows)
    list.push_back(to_json(row));
  co_return http::json_response(200, {{"silences", list}});
}

asio::awaitable<Response> AlertApi::create_silence(Request& request) {
  auto body = http::parse_json_body(request);
  if (auto* response = std::get_if<Response>(&body)) co_return std::move(*response);
  const auto& json = std::get<nlohmann::json>(body);
  std::vector<RuleError> errors;
  store::SilenceRow row;
  row.id = new_id("sil_");
  row.created_at = core::unix_ms();
  row.created_by = who(request);
  const auto matchers = json.find("matchers");
  if (matchers == json.end() || !matchers->is_array() || matchers->empty()) {
    errors.push_back({"matchers", "required: a list of label matchers such as agent=\"web-1\""});
  } else {
    for (std::size_t i = 0; i < matchers->size(); ++i) {
      const auto& item = (*matchers)[i];
      if (!item.is_string() || !LabelMatcher::parse(item.get<std::string>())) {
        errors.push_back({fmt::format("matchers[{}]", i), "expected a label matcher"});
      } else {
        row.matchers.push_back(LabelMatcher::parse(item.get<std::string>())->to_string());
      }
    }
  }
  auto time = [&](const char* field, std::int64_t fallback) {
    const auto it = json.find(field);
    if (it == json.end()) return fallback;
    if (!it->is_number_integer()) errors.push_back({field, "expected Unix milliseconds"});
    return it->is_number_integer() ? it->get<std::int64_t>() : fallback;
  };
  row.starts_at = time("starts_at", row.created_at);
  row.ends_at = time("ends_at", 0);
  if (row.ends_at <= row.starts_at) errors.push_back({"ends_at", "must be after starts_at"});
  if (json.contains("comment") && !json["comment"].is_string())
    errors.push_back({"comment", "expected a string"});
  else
    row.comment = json.value("comment", "");
  if (!errors.empty()) co_return field_errors(errors);
  auto done = co_await store_().run([&](store::Session& s) {
    s.silences().create(row);
    return core::Unit{};
  });
  if (!done) co_return store_failure(done.error());
  refresh_requested_ = true;
  co_return http::json_response(201, to_json(row));
}

asio::awaitable<Response> AlertApi::expire_silence(Request& request) {
  const std::string id(request.param("id"));
  const auto now = core::unix_ms();
  auto found =
      co_await store_().run([&](store::Session& s) { return s.silences().expire(id, now); });
  if (!found) co_return store_failure(found.error());
  if (!*found) co_return not_found("silence", id);
  refresh_requested_ = true;
  co_return Response{204, {}, {}, {}};
}

}  // namespace sentinel::alert
