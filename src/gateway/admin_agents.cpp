// /api/v1/agents, /api/v1/fleet and /api/v1/events.

#include <fmt/format.h>

#include "sentinel/core/crypto.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/http/json.hpp"
#include "sentinel/store/session.hpp"

#include "admin.hpp"
#include "presence.hpp"

namespace sentinel::gateway {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

json agent_json(const store::Agent& agent, const Gateway::Config& config, std::int64_t now) {
  const auto& f = agent.facts;
  return {{"id", agent.id},
          {"name", agent.name},
          {"hostname", agent.hostname},
          {"labels", agent.labels},
          {"enabled", agent.enabled},
          {"status", agent_status(agent, now, config)},
          {"created_at", agent.created_at},
          {"last_seen", agent.last_seen ? json(*agent.last_seen) : json(nullptr)},
          {"facts",
           {{"os", f.os},
            {"kernel", f.kernel},
            {"agent_version", f.agent_version},
            {"cpu_percent", f.cpu_percent},
            {"memory_percent", f.memory_percent},
            {"disk_percent", f.disk_percent},
            {"load1", f.load1},
            {"load5", f.load5},
            {"load15", f.load15},
            {"uptime_seconds", f.uptime_seconds},
            {"cpu_count", f.cpu_count},
            {"wal_backlog_batches", f.wal_backlog_batches},
            {"wal_backlog_bytes", f.wal_backlog_bytes},
            {"reported_at", agent.facts_at ? json(*agent.facts_at) : json(nullptr)}}}};
}

http::Response store_failure(const core::Error& error) {
  if (error.code == "invalid_argument")
    return http::error_response(400, "invalid_argument", error.message);
  return unavailable(fmt::format("the store cannot answer now: {}", error.message),
                     std::chrono::seconds(1));
}

http::Response not_found(std::string_view id) {
  return http::error_response(404, "not_found", fmt::format("no agent {}", id));
}

asio::awaitable<http::Response> list_agents(Services& services, http::Request& request) {
  store::PageRequest page;
  if (auto limit = request.query_param("limit")) {
    try {
      page.limit = std::clamp<std::size_t>(std::stoul(std::string(*limit)), 1, 1000);
    } catch (const std::exception&) {
      co_return http::error_response(400, "invalid_argument", "limit must be a number");
    }
  }
  page.cursor = std::string(request.query_param("cursor").value_or(""));
  const std::string status(request.query_param("status").value_or(""));
  if (!status.empty() && status != "online" && status != "stale" && status != "offline" &&
      status != "disabled") {
    co_return http::error_response(400, "invalid_argument",
                                   "status must be online, stale, offline or disabled");
  }
  store::AgentFilter filter;
  filter.search = std::string(request.query_param("search").value_or(""));
  if (status == "disabled") filter.enabled = false;
  auto found = co_await services.store.run(
      [&](store::Session& session) { return session.agents().list(filter, page); },
      store::Access::kRead);
  if (!found) co_return store_failure(found.error());
  const auto now = core::unix_ms();
  // Status depends on the clock, so it filters the page rather than the query: a page may hold
  // fewer agents than the limit, and the cursor still walks the whole fleet.
  json agents = json::array();
  for (const auto& agent : found->agents) {
    if (status.empty() || agent_status(agent, now, services.config) == status)
      agents.push_back(agent_json(agent, services.config, now));
  }
  co_return http::json_response(
      200,
      {{"agents", agents},
       {"next_cursor", found->next_cursor.empty() ? json(nullptr) : json(found->next_cursor)}});
}

asio::awaitable<http::Response> get_agent(Services& services, http::Request& request) {
  const std::string id(request.param("id"));
  auto found = co_await services.store.run(
      [&](store::Session& session) { return session.agents().get(id); }, store::Access::kRead);
  if (!found) co_return store_failure(found.error());
  if (!*found) co_return not_found(id);
  co_return http::json_response(200, agent_json(**found, services.config, core::unix_ms()));
}

// {"name": "...", "labels": {...}, "enabled": bool}, each optional.
std::variant<store::AgentUpdate, http::Response> parse_update(const json& body) {
  store::AgentUpdate update;
  try {
    if (body.contains("name")) update.name = body.at("name").get<std::string>();
    if (body.contains("labels"))
      update.labels = body.at("labels").get<std::map<std::string, std::string>>();
    if (body.contains("enabled")) update.enabled = body.at("enabled").get<bool>();
  } catch (const json::exception&) {
    return http::error_response(
        400, "invalid_argument",
        "expected name (string), labels (object of strings), enabled (bool)");
  }
  if (update.name && update.name->empty())
    return http::error_response(400, "invalid_argument", "name must not be empty");
  return update;
}

asio::awaitable<http::Response> patch_agent(Services& services, http::Request& request) {
  auto body = http::parse_json_body(request);
  if (auto* refused = std::get_if<http::Response>(&body)) co_return std::move(*refused);
  auto update = parse_update(std::get<json>(body));
  if (auto* refused = std::get_if<http::Response>(&update)) co_return std::move(*refused);
  const std::string id(request.param("id"));
  const auto& changes = std::get<store::AgentUpdate>(update);
  auto updated = co_await services.store.run(
      [&](store::Session& session) { return session.agents().update(id, changes); });
  if (!updated) co_return store_failure(updated.error());
  if (!*updated) co_return not_found(id);
  services.keys.invalidate(id);  // `enabled` may have changed
  co_return co_await get_agent(services, request);
}

asio::awaitable<http::Response> delete_agent(Services& services, http::Request& request) {
  const std::string id(request.param("id"));
  auto removed = co_await services.store.run(
      [&](store::Session& session) { return session.agents().remove(id); });
  if (!removed) co_return store_failure(removed.error());
  if (!*removed) co_return not_found(id);
  services.keys.invalidate(id);
  co_return http::Response{204, {}, {}, {}};
}

// Body (optional): {"grace": "24h"}; the old key stays valid that long.
asio::awaitable<http::Response> rotate_key(Services& services, http::Request& request) {
  core::Duration grace = services.config.rotation_grace;
  if (!request.body.empty()) {
    auto body = http::parse_json_body(request);
    if (auto* refused = std::get_if<http::Response>(&body)) co_return std::move(*refused);
    const auto& value = std::get<json>(body);
    if (value.contains("grace")) {
      auto parsed = value.at("grace").is_string()
                        ? core::parse_duration(value.at("grace").get<std::string>())
                        : std::nullopt;
      if (!parsed) co_return http::error_response(400, "invalid_argument", "grace: a duration");
      grace = *parsed;
    }
  }
  const std::string id(request.param("id"));
  const auto now = core::unix_ms();
  const auto secret = core::random_bytes(32);
  store::AgentKey key{id, new_key_id(), {}, now, std::nullopt};
  key.sealed_secret = services.keys.seal(id, key.key_id, secret);
  const auto retires_at = now + grace.count();
  auto rotated = co_await services.store.run([&](store::Session& session) {
    bool exists = false;
    session.transaction([&] {
      if (!session.agents().get(id)) return;
      exists = true;
      session.credentials().retire_current_key(id, retires_at);
      session.credentials().add_key(key);
    });
    return exists;
  });
  if (!rotated) co_return store_failure(rotated.error());
  if (!*rotated) co_return not_found(id);
  services.keys.invalidate(id);
  co_return http::json_response(
      200, {{"agent_id", id}, {"key_id", key.key_id}, {"previous_key_expires_at", retires_at}});
}

asio::awaitable<http::Response> fleet(Services& services, http::Request&) {
  auto agents = co_await load_fleet(services.store);
  if (!agents) co_return store_failure(agents.error());
  const auto now = core::unix_ms();
  json counts = {{"online", 0}, {"stale", 0}, {"offline", 0}, {"disabled", 0}};
  std::int64_t backlog = 0;
  for (const auto& agent : *agents) {
    counts[std::string(agent_status(agent, now, services.config))] =
        counts[std::string(agent_status(agent, now, services.config))].get<int>() + 1;
    backlog += agent.facts.wal_backlog_batches;
  }
  co_return http::json_response(200, {{"agents", agents->size()},
                                      {"by_status", counts},
                                      {"wal_backlog_batches", backlog},
                                      {"server_time", now}});
}

asio::awaitable<http::Response> events(Services& services, http::Request&) {
  http::Response response;
  response.headers.set("Content-Type", "text/event-stream");
  response.headers.set("Cache-Control", "no-cache");
  response.stream =
      services.events.subscribe(co_await asio::this_coro::executor, std::chrono::seconds(15));
  co_return response;
}

}  // namespace

void add_agent_routes(http::Router& router, Services& services) {
  using http::Method;
  router.add(
      Method::kGet, "/api/v1/agents", route_to(services, list_agents),
      {.role = "viewer",
       .summary = "Agents, by id; ?status=online|stale|offline|disabled&search=&limit=&cursor="});
  router.add(Method::kGet, "/api/v1/agents/{id}", route_to(services, get_agent),
             {.role = "viewer", .summary = "One agent with its latest host facts."});
  router.add(Method::kPatch, "/api/v1/agents/{id}", route_to(services, patch_agent),
             {.role = "admin", .summary = "Change an agent's name, labels or enabled flag."});
  router.add(Method::kDelete, "/api/v1/agents/{id}", route_to(services, delete_agent),
             {.role = "admin", .summary = "Forget an agent and its keys."});
  router.add(Method::kPost, "/api/v1/agents/{id}/rotate-key", route_to(services, rotate_key),
             {.role = "admin",
              .summary = "Issue a new key; the old one stays valid for the grace period."});
  router.add(Method::kGet, "/api/v1/fleet", route_to(services, fleet),
             {.role = "viewer", .summary = "Agents by status, and the fleet's WAL backlog."});
  router.add(
      Method::kGet, "/api/v1/events", route_to(services, events),
      {.role = "viewer",
       .summary = "Server-sent events: agent_online, agent_stale, agent_offline, heartbeat."});
}

}  // namespace sentinel::gateway
