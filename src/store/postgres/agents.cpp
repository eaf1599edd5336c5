#include <cassert>
#include <tuple>

#include <fmt/format.h>

#include "agent_rows.hpp"
#include "postgres/repositories.hpp"

namespace sentinel::store::postgres {
namespace {

// kAgentColumns with times in Unix milliseconds.
constexpr const char* kSelect =
    "SELECT id, name, hostname, hardware_id, labels, enabled,"
    " (extract(epoch FROM created_at) * 1000)::bigint,"
    " (extract(epoch FROM last_seen) * 1000)::bigint,"
    " (extract(epoch FROM facts_at) * 1000)::bigint,"
    " os, kernel, agent_version, cpu_percent, memory_percent, disk_percent, load1, load5, load15,"
    " uptime_seconds, cpu_count, wal_backlog_batches, wal_backlog_bytes FROM agents ";

class PgAgents final : public AgentRepository {
 public:
  explicit PgAgents(PgConnection& connection) : connection_(connection) {}

  void create(const Agent& agent) override { insert(agent, ""); }

  void put(const Agent& agent) override {
    static const auto suffix = upsert_suffix(kAgentColumns, 1);
    insert(agent, suffix);
  }

  std::optional<Agent> get(std::string_view id) override {
    auto result = connection_.exec(std::string(kSelect) + "WHERE id = $1", id);
    if (result.rows() == 0) return std::nullopt;
    auto row = result.row(0);
    return read_agent(row);
  }

  AgentPage list(const AgentFilter& filter, const PageRequest& page) override {
    assert(page.limit > 0);
    const auto pattern = like_pattern(filter.search);
    const auto after = decode_cursor(page.cursor);
    auto result = connection_.exec(
        std::string(kSelect) +
            "WHERE ($1::boolean IS NULL OR enabled = $1)"
            " AND ($2 = '' OR name ILIKE $2 ESCAPE '\\' OR hostname ILIKE $2 ESCAPE '\\')"
            " AND id > $3 ORDER BY id LIMIT $4",
        filter.enabled, pattern, after, page.limit + 1);
    std::vector<Agent> agents;
    for (int i = 0; i < result.rows(); ++i) {
      auto row = result.row(i);
      agents.push_back(read_agent(row));
    }
    return make_page(std::move(agents), page.limit);
  }

  bool update(std::string_view id, const AgentUpdate& update) override {
    std::optional<std::string> labels;
    if (update.labels) labels = labels_to_json(*update.labels);
    return connection_
               .exec(
                   "UPDATE agents SET name = coalesce($2, name),"
                   " labels = coalesce($3::jsonb, labels), enabled = coalesce($4, enabled)"
                   " WHERE id = $1",
                   id, update.name, labels, update.enabled)
               .affected() == 1;
  }

  bool remove(std::string_view id) override {
    return connection_.exec("DELETE FROM agents WHERE id = $1", id).affected() == 1;
  }

  bool record_heartbeat(std::string_view id, const HostFacts& facts, std::int64_t at) override {
    constexpr const char* sql =
        "UPDATE agents SET last_seen = greatest(last_seen, to_timestamp($2 / 1000.0)),"
        " facts_at = to_timestamp($2 / 1000.0), os = $3, kernel = $4, agent_version = $5,"
        " cpu_percent = $6, memory_percent = $7, disk_percent = $8, load1 = $9, load5 = $10,"
        " load15 = $11, uptime_seconds = $12, cpu_count = $13, wal_backlog_batches = $14,"
        " wal_backlog_bytes = $15 WHERE id = $1";
    return std::apply(
               [&](const auto&... values) { return connection_.exec(sql, id, at, values...); },
               facts_values(facts))
               .affected() == 1;
  }

  std::size_t touch_last_seen(std::span<const std::string> ids, std::int64_t at) override {
    return static_cast<std::size_t>(
        connection_
            .exec("UPDATE agents SET last_seen = greatest(last_seen, to_timestamp($2 / 1000.0))"
                  " WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))",
                  ids_to_json(ids), at)
            .affected());
  }

 private:
  void insert(const Agent& agent, std::string_view suffix) {
    static const auto sql = fmt::format(
        "INSERT INTO agents ({}) VALUES ($1, $2, $3, $4, $5::jsonb, $6, to_timestamp($7 / 1000.0),"
        " to_timestamp($8 / 1000.0), to_timestamp($9 / 1000.0), $10, $11, $12, $13, $14, $15,"
        " $16, $17, $18, $19, $20, $21, $22)",
        kAgentColumns);
    const auto labels = labels_to_json(agent.labels);
    const auto statement = sql + std::string(suffix);
    std::apply([&](const auto&... values) { connection_.exec(statement, values...); },
               agent_values(agent, labels));
  }

  PgConnection& connection_;
};

}  // namespace

std::unique_ptr<AgentRepository> make_agents(PgConnection& connection) {
  return std::make_unique<PgAgents>(connection);
}

}  // namespace sentinel::store::postgres
