#pragma once
// The fleet: one record per enrolled agent, with the host facts of its latest heartbeat.
// Times are Unix milliseconds.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::store {

// What an agent reports about its host in each heartbeat.
struct HostFacts {
  std::string os;
  std::string kernel;
  std::string agent_version;
  double cpu_percent = 0;
  double memory_percent = 0;
  double disk_percent = 0;
  double load1 = 0;
  double load5 = 0;
  double load15 = 0;
  std::int64_t uptime_seconds = 0;
  std::int32_t cpu_count = 0;
  std::int64_t wal_backlog_batches = 0;  // batches waiting in the agent's WAL
  std::int64_t wal_backlog_bytes = 0;
  bool operator==(const HostFacts&) const = default;
};

struct Agent {
  std::string id;  // new_agent_id()
  std::string name;
  std::string hostname;
  std::string hardware_id;
  std::map<std::string, std::string> labels;
  bool enabled = true;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_seen;  // the latest heartbeat or ingested batch
  std::optional<std::int64_t> facts_at;   // when `facts` were reported; unset: never
  HostFacts facts;
  bool operator==(const Agent&) const = default;
};

struct AgentFilter {
  std::optional<bool> enabled;
  std::string search;  // a case-insensitive substring of the name or the hostname
};

// Keyset pagination: pass the previous page's `next_cursor` to get the page after it.
struct PageRequest {
  std::size_t limit = 100;  // at least 1
  std::string cursor;       // empty: the first page
};

struct AgentPage {
  std::vector<Agent> agents;  // ordered by id
  std::string next_cursor;    // empty on the last page
};

// Fields left unset keep their value.
struct AgentUpdate {
  std::optional<std::string> name;
  std::optional<std::map<std::string, std::string>> labels;
  std::optional<bool> enabled;
};

// Methods throw StoreError; the ones returning bool return false when no agent has the id.
class AgentRepository {
 public:
  virtual ~AgentRepository() = default;
  // Inserts every field of `agent`. Throws StoreError "conflict" when the id exists: enrolment
  // never overwrites an agent.
  virtual void create(const Agent& agent) = 0;
  // Inserts `agent`, or replaces every field of the agent with its id (`sentineld import`).
  virtual void put(const Agent& agent) = 0;
  virtual std::optional<Agent> get(std::string_view id) = 0;
  // Throws StoreError "invalid_argument" for a cursor this store did not hand out.
  virtual AgentPage list(const AgentFilter& filter, const PageRequest& page) = 0;
  virtual bool update(std::string_view id, const AgentUpdate& update) = 0;
  virtual bool remove(std::string_view id) = 0;
  // Stores `facts` as of `at` and moves last_seen forward to `at` (never back).
  virtual bool record_heartbeat(std::string_view id, const HostFacts& facts, std::int64_t at) = 0;
  // Moves last_seen forward to `at` for every listed agent, in one statement; returns how many
  // exist.
  virtual std::size_t touch_last_seen(std::span<const std::string> ids, std::int64_t at) = 0;
};

// "agt_" and 22 characters of base64url: 128 random bits.
std::string new_agent_id();

}  // namespace sentinel::store
