#include <cassert>
#include <tuple>

#include <fmt/format.h>

#include "agent_rows.hpp"
#include "sqlite/repositories.hpp"

namespace sentinel::store::sqlite {
namespace {

// Times are stored in Unix milliseconds already, so the columns read as they are.
std::string select_where(std::string_view condition) {
  return fmt::format("SELECT {} FROM agents WHERE {}", kAgentColumns, condition);
}

class SqliteAgents final : public AgentRepository {
 public:
  explicit SqliteAgents(Database& db) : db_(db) {}

  void create(const Agent& agent) override { insert(agent, ""); }

  void put(const Agent& agent) override {
    static const auto suffix = upsert_suffix(kAgentColumns, 1);
    insert(agent, suffix);
  }

  std::optional<Agent> get(std::string_view id) override {
    auto rows = db_.query(select_where("id = ?1"), id);
    if (!rows.step()) return std::nullopt;
    auto row = rows.row();
    return read_agent(row);
  }

  AgentPage list(const AgentFilter& filter, const PageRequest& page) override {
    assert(page.limit > 0);
    auto rows = db_.query(
        select_where("(?1 IS NULL OR enabled = ?1)"
                     " AND (?2 = '' OR name LIKE ?2 ESCAPE '\\' OR hostname LIKE ?2 ESCAPE '\\')"
                     " AND id > ?3 ORDER BY id LIMIT ?4"),
        filter.enabled, like_pattern(filter.search), decode_cursor(page.cursor), page.limit + 1);
    std::vector<Agent> agents;
    while (rows.step()) {
      auto row = rows.row();
      agents.push_back(read_agent(row));
    }
    return make_page(std::move(agents), page.limit);
  }

  bool update(std::string_view id, const AgentUpdate& update) override {
    std::optional<std::string> labels;
    if (update.labels) labels = labels_to_json(*update.labels);
    return db_.query(
                  "UPDATE agents SET name = coalesce(?2, name), labels = coalesce(?3, labels),"
                  " enabled = coalesce(?4, enabled) WHERE id = ?1",
                  id, update.name, labels, update.enabled)
               .run() == 1;
  }

  bool remove(std::string_view id) override {
    return db_.query("DELETE FROM agents WHERE id = ?1", id).run() == 1;
  }

  bool record_heartbeat(std::string_view id, const HostFacts& facts, std::int64_t at) override {
    constexpr std::string_view sql =
        "UPDATE agents SET last_seen = max(coalesce(last_seen, ?2), ?2), facts_at = ?2,"
        " os = ?3, kernel = ?4, agent_version = ?5, cpu_percent = ?6, memory_percent = ?7,"
        " disk_percent = ?8, load1 = ?9, load5 = ?10, load15 = ?11, uptime_seconds = ?12,"
        " cpu_count = ?13, wal_backlog_batches = ?14, wal_backlog_bytes = ?15 WHERE id = ?1";
    return std::apply(
               [&](const auto&... values) { return db_.query(sql, id, at, values...).run(); },
               facts_values(facts)) == 1;
  }

  std::size_t touch_last_seen(std::span<const std::string> ids, std::int64_t at) override {
    return static_cast<std::size_t>(
        db_.query("UPDATE agents SET last_seen = max(coalesce(last_seen, ?2), ?2)"
                  " WHERE id IN (SELECT value FROM json_each(?1))",
                  ids_to_json(ids), at)
            .run());
  }

 private:
  void insert(const Agent& agent, std::string_view suffix) {
    static const auto sql = fmt::format(
        "INSERT INTO agents ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
        " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
        kAgentColumns);
    const auto labels = labels_to_json(agent.labels);
    const auto statement = sql + std::string(suffix);
    std::apply([&](const auto&... values) { db_.query(statement, values...).run(); },
               agent_values(agent, labels));
  }

  Database& db_;
};

}  // namespace

std::unique_ptr<AgentRepository> make_agents(Database& db) {
  return std::make_unique<SqliteAgents>(db);
}

}  // namespace sentinel::store::sqlite
