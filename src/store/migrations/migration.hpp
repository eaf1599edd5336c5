#pragma once
// Schema migrations: SQL files named NNNN_name.sql, compiled into the binary (one set per
// backend) and recorded, once applied, with the SHA-256 of their text. A recorded file must
// never change: the checksum catches edits, and a version the binary does not know means the
// database belongs to a newer binary.

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/store/store.hpp"

namespace sentinel::store {

struct MigrationSource {
  std::string_view file;  // "0001_agents.sql"
  std::string_view sql;
};

// The files under migrations/<backend>/, embedded by the build in file-name order.
std::span<const MigrationSource> embedded_migrations(Backend backend);

struct Migration {
  std::int64_t version = 0;
  std::string name;  // "agents"
  std::string file;  // "0001_agents.sql"
  std::string sql;
  std::string checksum;  // hex SHA-256 of `sql`
};

struct AppliedMigration {
  std::int64_t version = 0;
  std::string name;
  std::string checksum;
};

class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses and orders a set of files. Throws MigrationError for a malformed name or a version
// used twice.
std::vector<Migration> load_migrations(std::span<const MigrationSource> sources);

struct MigrationPlan {
  std::int64_t current = 0;  // the highest applied version; 0 for an empty database
  std::int64_t latest = 0;   // the highest version this binary knows
  std::vector<const Migration*> pending;
};

// What is left to apply. Throws MigrationError when an applied migration was edited, is
// unknown to this binary (a newer database), or when a known one was skipped.
MigrationPlan plan_migrations(std::span<const Migration> known,
                              std::span<const AppliedMigration> applied);

std::string format_version(std::int64_t version);  // 2 -> "0002"

}  // namespace sentinel::store
