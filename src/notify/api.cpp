#include "api.hpp"

#include <charconv>

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "sentinel/alert/api_support.hpp"
#include "sentinel/alert/notification.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/http/json.hpp"
#include "sentinel/store/session.hpp"

#include "sender.hpp"

namespace sentinel::notify {

namespace asio = boost::asio;
using http::Method;
using http::Request;
using http::Response;

namespace {

Response not_found(std::string_view what, std::string_view id) {
  return http::error_response(404, "not_found", fmt::format("no {} {}", what, id));
}

std::optional<std::int64_t> dead_letter_id(const Request& request) {
  const auto text = request.param("id");
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

// What POST /{id}/test sends: one made-up firing alert.
Message test_message(const store::NotifierRow& notifier) {
  alert::AlertNotification n;
  n.fingerprint = "test";
  n.rule_id = "test";
  n.rule_name = "SentinelTestNotification";
  n.status = "firing";
  n.severity = "info";
  n.labels = {{"alertname", n.rule_name}, {"severity", "info"}};
  n.annotations = {{"summary", "A test notification from sentineld to " + notifier.name}};
  n.starts_at = core::unix_ms();
  return {notifier.name, "test/" + notifier.id, {n}};
}

}  // namespace

void NotifyApi::add_routes(http::Router& router) {
  auto bind = [this](auto method) {
    return [this, method](Request& request) { return (this->*method)(request); };
  };
  router.add(Method::kGet, "/api/v1/notifiers", bind(&NotifyApi::list),
             {.role = "viewer", .summary = "Notifiers, secrets masked."});
  router.add(Method::kGet, "/api/v1/notifiers/{id}", bind(&NotifyApi::get),
             {.role = "viewer", .summary = "One notifier, secrets masked."});
  router.add(Method::kPost, "/api/v1/notifiers",
             [this](Request& request) { return put(request, true); },
             {.role = "admin", .summary = "Create a notifier; secrets are sealed at rest."});
  router.add(Method::kPut, "/api/v1/notifiers/{id}",
             [this](Request& request) { return put(request, false); },
             {.role = "admin", .summary = "Change a notifier; a masked or absent secret stays."});
  router.add(Method::kDelete, "/api/v1/notifiers/{id}", bind(&NotifyApi::remove),
             {.role = "admin", .summary = "Delete a notifier."});
  router.add(Method::kPost, "/api/v1/notifiers/{id}/test", bind(&NotifyApi::test),
             {.role = "admin", .summary = "Send a test notification now and report the answer."});
  router.add(Method::kGet, "/api/v1/notifications/dlq", bind(&NotifyApi::list_dead),
             {.role = "viewer", .summary = "Notifications that failed every attempt."});
  router.add(Method::kPost, "/api/v1/notifications/dlq/{id}/replay", bind(&NotifyApi::replay),
             {.role = "admin", .summary = "Put a dead notification back in the outbox."});
  router.add(Method::kDelete, "/api/v1/notifications/dlq/{id}", bind(&NotifyApi::drop),
             {.role = "admin", .summary = "Forget a dead notification."});
}

asio::awaitable<Response> NotifyApi::list(Request&) {
  auto rows = co_await store_().run([](store::Session& s) { return s.notifiers().list(); },
                                    store::Access::kRead);
  if (!rows) co_return alert::store_failure(rows.error());
  auto list = nlohmann::json::array();
  for (const auto& row : *rows)
    list.push_back(codec_.to_json(row));
  co_return http::json_response(200, {{"notifiers", list}});
}

asio::awaitable<Response> NotifyApi::get(Request& request) {
  const std::string id(request.param("id"));
  auto row = co_await store_().run([&](store::Session& s) { return s.notifiers().get(id); },
                                   store::Access::kRead);
  if (!row) co_return alert::store_failure(row.error());
  if (!*row) co_return not_found("notifier", id);
  co_return http::json_response(200, codec_.to_json(**row));
}

asio::awaitable<Response> NotifyApi::put(Request& request, bool create) {
  auto body = http::parse_json_body(request);
  if (auto* response = std::get_if<Response>(&body)) co_return std::move(*response);
  const auto& json = std::get<nlohmann::json>(body);
  const std::string id = create ? alert::new_id("ntf_") : std::string(request.param("id"));
  std::optional<store::NotifierRow> before;
  if (!create) {
    auto found = co_await store_().run([&](store::Session& s) { return s.notifiers().get(id); },
                                       store::Access::kRead);
    if (!found) co_return alert::store_failure(found.error());
    if (!*found) co_return not_found("notifier", id);
    before = std::move(*found);
  }
  auto parsed = codec_.from_request(json, id, before ? &*before : nullptr, core::unix_ms());
  if (auto* errors = std::get_if<std::vector<alert::RuleError>>(&parsed))
    co_return alert::field_errors(*errors);
  const auto& row = std::get<store::NotifierRow>(parsed);
  auto done = co_await store_().run([&](store::Session& s) {
    s.notifiers().put(row);
    return core::Unit{};
  });
  if (!done) co_return alert::store_failure(done.error());
  co_return http::json_response(create ? 201 : 200, codec_.to_json(row));
}

asio::awaitable<Response> NotifyApi::remove(Request& request) {
  const std::string id(request.param("id"));
  auto found = co_await store_().run([&](store::Session& s) { return s.notifiers().remove(id); });
  if (!found) co_return alert::store_failure(found.error());
  if (!*found) co_return not_found("notifier", id);
  co_return Response{204, {}, {}, {}};
}

asio::awaitable<Response> NotifyApi::test(Request& request) {
  const std::string id(request.param("id"));
  auto row = co_await store_().run([&](store::Session& s) { return s.notifiers().get(id); },
                                   store::Access::kRead);
  if (!row) co_return alert::store_failure(row.error());
  if (!*row) co_return not_found("notifier", id);
  const auto settings = codec_.settings(**row);
  const auto* channel = find_channel((*row)->type);
  if (!settings || channel == nullptr) {
    co_return http::error_response(409, "sealed",
                                   "the notifier's secrets do not open with this master key");
  }
  // A sender of its own, on this request's executor: the test never waits behind the outbox.
  Sender sender(co_await asio::this_coro::executor);
  const auto requests = channel->format(test_message(**row), *settings);
  const auto outcome = co_await sender.send(requests, timeout_);
  nlohmann::json answer = {{"ok", outcome.ok}, {"http_status", outcome.http_status}};
  // Also on success: a mail some recipients refused for good says which.
  if (!outcome.error.empty()) answer["error"] = outcome.error;
  co_return http::json_response(outcome.ok ? 200 : 502, answer);
}

asio::awaitable<Response> NotifyApi::list_dead(Request& request) {
  std::optional<Response> error;
  auto limit = alert::integer_param(request, "limit", error).value_or(100);
  if (error) co_return std::move(*error);
  limit = std::clamp<std::int64_t>(limit, 1, 1000);
  auto rows = co_await store_().run(
      [&](store::Session& s) { return s.outbox().dead_letters(static_cast<std::size_t>(limit)); },
      store::Access::kRead);
  if (!rows) co_return alert::store_failure(rows.error());
  auto list = nlohmann::json::array();
  for (const auto& r : *rows) {
    list.push_back({{"id", r.id},
                    {"notifier_id", r.notifier_id},
                    {"group_key", r.group_key},
                    {"payload", nlohmann::json::parse(r.payload, nullptr, false)},
                    {"attempts", r.attempts},
                    {"last_error", r.last_error},
                    {"created_at", r.created_at},
                    {"failed_at", r.failed_at}});
  }
  co_return http::json_response(200, {{"dead_letters", list}});
}

asio::awaitable<Response> NotifyApi::replay(Request& request) {
  const auto id = dead_letter_id(request);
  if (!id) co_return not_found("dead letter", request.param("id"));
  const auto now = core::unix_ms();
  auto found =
      co_await store_().run([&](store::Session& s) { return s.outbox().replay(*id, now); });
  if (!found) co_return alert::store_failure(found.error());
  if (!*found) co_return not_found("dead letter", request.param("id"));
  co_return http::json_response(200, {{"id", *id}, {"replayed", true}});
}

asio::awaitable<Response> NotifyApi::drop(Request& request) {
  const auto id = dead_letter_id(request);
  if (!id) co_return not_found("dead letter", request.param("id"));
  auto found = co_await store_().run([&](store::Session& s) { return s.outbox().drop(*id); });
  if (!found) co_return alert::store_failure(found.error());
  if (!*found) co_return not_found("dead letter", request.param("id"));
  co_return Response{204, {}, {}, {}};
}

}  // namespace sentinel::notify
