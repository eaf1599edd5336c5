#pragma once
// What both backends' agent repositories share: the column order they read and write, how
// labels, search patterns and cursors are encoded, and how a page is cut.

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "sentinel/store/agents.hpp"

namespace sentinel::store {

// The order in which every backend inserts agents and selects them (times converted to ms).
inline constexpr std::string_view kAgentColumns =
    "id, name, hostname, hardware_id, labels, enabled, created_at, last_seen, facts_at, os, "
    "kernel, agent_version, cpu_percent, memory_percent, disk_percent, load1, load5, load15, "
    "uptime_seconds, cpu_count, wal_backlog_batches, wal_backlog_bytes";

// " ON CONFLICT (<key>) DO UPDATE SET c = excluded.c, ..." for every column of `columns` (a
// comma-separated list) except the first `key_count`, which form the conflict key. Both
// backends accept it, so an upsert is the backend's INSERT plus this suffix.
std::string upsert_suffix(std::string_view columns, std::size_t key_count);

std::string labels_to_json(const std::map<std::string, std::string>& labels);
// Throws StoreError when the stored text is not a JSON object of strings.
std::map<std::string, std::string> labels_from_json(std::string_view json);
std::string ids_to_json(std::span<const std::string> ids);

// The facts in the order of kAgentColumns, from `os` on.
inline auto facts_values(const HostFacts& f) {
  return std::tie(f.os, f.kernel, f.agent_version, f.cpu_percent, f.memory_percent, f.disk_percent,
                  f.load1, f.load5, f.load15, f.uptime_seconds, f.cpu_count, f.wal_backlog_batches,
                  f.wal_backlog_bytes);
}

// Every value of `agent` in the order of kAgentColumns; `labels` is its JSON text.
inline auto agent_values(const Agent& a, const std::string& labels) {
  return std::tuple_cat(std::tie(a.id, a.name, a.hostname, a.hardware_id, labels, a.enabled,
                                 a.created_at, a.last_seen, a.facts_at),
                        facts_values(a.facts));
}

// Reads the columns of kAgentColumns, in order, from a backend's row reader.
template <class Row>
Agent read_agent(Row& row) {
  Agent a;
  a.id = row.text();
  a.name = row.text();
  a.hostname = row.text();
  a.hardware_id = row.text();
  a.labels = labels_from_json(row.text());
  a.enabled = row.boolean();
  a.created_at = row.int64();
  a.last_seen = row.optional_int64();
  a.facts_at = row.optional_int64();
  auto& f = a.facts;
  f.os = row.text();
  f.kernel = row.text();
  f.agent_version = row.text();
  for (double* value :
       {&f.cpu_percent, &f.memory_percent, &f.disk_percent, &f.load1, &f.load5, &f.load15})
    *value = row.float8();
  f.uptime_seconds = row.int64();
  f.cpu_count = row.int32();
  f.wal_backlog_batches = row.int64();
  f.wal_backlog_bytes = row.int64();
  return a;
}

// The LIKE pattern matching `search` anywhere, with LIKE's wildcards in it escaped by '\'; an
// empty search gives an empty pattern (no filter).
std::string like_pattern(std::string_view search);

// Cursors are opaque to clients: the last id of a page, encoded.
std::string encode_cursor(std::string_view last_id);
// The id after which the page starts; empty for the first page. Throws StoreError
// "invalid_argument" for a cursor that was not made by encode_cursor.
std::string decode_cursor(std::string_view cursor);

// `rows` were fetched with a limit one above the page's: the extra row only says that another
// page follows.
AgentPage make_page(std::vector<Agent> rows, std::size_t limit);

}  // namespace sentinel::store
