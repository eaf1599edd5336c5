// S33-S34: SQL metacharacters in every parameter of the query API, on each backend. A victim
// agent's samples carry a marker label; no request with an injected value may answer with them,
// fail with a 5xx, or damage the tables (the victim is still queryable afterwards).

#include <chrono>

#include <fmt/format.h>

#include "sentinel/core/unix_time.hpp"

#include "checks.hpp"
#include "lab.hpp"

namespace sentinel::security {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

const std::vector<std::string> kPayloads = {
    "' OR '1'='1",
    "'; DROP TABLE agents; --",
    "\" OR \"\"=\"",
    "1) OR (1=1",
    "' UNION SELECT name, name FROM sqlite_master --",
    "' UNION SELECT table_name, table_name FROM information_schema.tables --",
    "%",
    "_",
    "\\",
    "$1",
    "?",
    "*",
    "\x01\x7f'",
};

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string target(const std::string& path, const Params& params) {
  std::string out = path;
  char separator = '?';
  for (const auto& [name, value] : params) {
    out += separator + name + "=" + url_encode(value);
    separator = '&';
  }
  return out;
}

struct Route {
  std::string path;
  Params params;  // legitimate values, each replaced in turn
};

// Every query route with legitimate parameters for `agent`.
std::vector<Route> query_routes(const std::string& agent) {
  const auto now = core::unix_ms() / 1000;
  const auto from = std::to_string(now - 3600);
  const auto to = std::to_string(now + 600);
  const Params series = {{"agent", agent}, {"metric", "cpu_usage_percent"}, {"labels", "core=0"}};
  auto with = [&](Params params, Params more) {
    params.insert(params.end(), more.begin(), more.end());
    return params;
  };
  return {
      {"/api/v1/query/latest", series},
      {"/api/v1/query/range", with(series, {{"from", from}, {"to", to}, {"step", "60"}})},
      {"/api/v1/query/compare",
       {{"agents", agent},
        {"metric", "cpu_usage_percent"},
        {"labels", "core=0"},
        {"from", from},
        {"to", to},
        {"step", "60"}}},
      {"/api/v1/query/percentiles", with(series, {{"from", from}, {"to", to}, {"p", "50"}})},
      {"/api/v1/export", with(series, {{"from", from}, {"to", to}, {"format", "csv"}})},
      {"/api/v1/agents", {{"search", "victim"}, {"status", "online"}, {"limit", "10"}}},
  };
}

// The values to try in place of `value`: each payload alone, after the value, and for label
// matchers on either side of the '='.
std::vector<std::string> injections(const std::string& name, const std::string& value) {
  std::vector<std::string> out;
  for (const auto& payload : kPayloads) {
    out.push_back(payload);
    out.push_back(value + payload);
    if (name == "labels") {
      out.push_back("core=" + payload);
      out.push_back(payload + "=0");
    }
  }
  return out;
}

// The answer neither failed on the server nor handed out the victim's samples.
void expect_contained(const test::HttpReply& reply, const std::string& marker,
                      const std::string& request) {
  expect(reply.status >= 200 && reply.status < 500, request + ": " + describe(reply));
  expect(reply.body.find(marker) == std::string::npos,
         request + " answered with the victim's samples: " + describe(reply));
}

void sql_metacharacters(Lab& lab, Deployment& gateway) {
  const auto marker = lab.unique(fmt::format("marker{}", core::unix_ms()));
  const auto victim = gateway.enroll_agent(marker);
  auto batch = victim.batch(1);
  for (auto& metric : *batch.mutable_metrics()) {
    auto* label = metric.add_labels();
    label->set_name("owner");
    label->set_value(marker);
  }
  const auto pushed = gateway.push({victim.sign(batch)});
  expect(pushed.status == 200, "the victim's push: " + describe(pushed));
  const auto latest = target("/api/v1/query/latest", {{"agent", victim.agent_id}});
  auto victim_visible = [&] {
    return gateway.api("GET", latest, gateway.admin_token()).body.find(marker) != std::string::npos;
  };
  expect(test::eventually(victim_visible, std::chrono::seconds(30)),
         "the victim's samples never became queryable");

  int requests = 0;
  for (const auto& route : query_routes(victim.agent_id)) {
    for (std::size_t i = 0; i < route.params.size(); ++i) {
      for (const auto& injected : injections(route.params[i].first, route.params[i].second)) {
        auto params = route.params;
        params[i].second = injected;
        // The victim's own id keeps its samples in scope: only the injection could leak them
        // past the other filters. Where the agent itself is injected, nothing may come back.
        const auto request = target(route.path, params);
        expect_contained(gateway.api("GET", request, gateway.admin_token()), marker, request);
        ++requests;
      }
    }
  }
  for (const auto& payload : kPayloads) {
    for (const auto& path : {"/api/v1/agents/" + url_encode(payload),
                             "/api/v1/agents/" + url_encode(payload) + "/metrics"}) {
      expect_contained(gateway.api("GET", path, gateway.admin_token()), marker, path);
      ++requests;
    }
  }
  expect(victim_visible(),
         fmt::format("after {} injected requests the victim's samples are gone", requests));
  const auto agents = gateway.api("GET", "/api/v1/agents?search=" + marker, gateway.admin_token());
  expect(agents.status == 200 && agents.body.find(victim.agent_id) != std::string::npos,
         "after the injected requests the agents table lost the victim: " + describe(agents));
}

}  // namespace

void sql_metacharacters_sqlite(Lab& lab) {
  sql_metacharacters(lab, lab.main());
}

void sql_metacharacters_postgres(Lab& lab) {
  sql_metacharacters(lab, lab.postgres());
}

}  // namespace sentinel::security
