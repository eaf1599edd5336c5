#include "migrations/migration.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "sentinel/core/crypto.hpp"

namespace sentinel::store {
namespace {

constexpr std::size_t kMinVersionDigits = 4;

bool valid_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Version and name from "NNNN_name.sql"; nullopt when the file name has another form.
std::optional<Migration> parse_file_name(std::string_view file) {
  if (!file.ends_with(".sql")) return std::nullopt;
  const auto stem = file.substr(0, file.size() - 4);
  const auto underscore = stem.find('_');
  if (underscore == std::string_view::npos || underscore < kMinVersionDigits) return std::nullopt;
  const auto digits = stem.substr(0, underscore);
  Migration migration;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), migration.version);
  if (ec != std::errc() || end != digits.data() + digits.size() || migration.version <= 0) {
    return std::nullopt;
  }
  migration.name = stem.substr(underscore + 1);
  if (!valid_name(migration.name)) return std::nullopt;
  migration.file = file;
  return migration;
}

Migration parse(const MigrationSource& source) {
  auto migration = parse_file_name(source.file);
  if (!migration) {
    throw MigrationError(fmt::format(
        "migration file {} is misnamed: expected NNNN_name.sql (a version of at least four "
        "digits, then lower-case letters, digits and underscores)",
        source.file));
  }
  migration->sql = source.sql;
  migration->checksum = core::to_hex(core::sha256(source.sql));
  return std::move(*migration);
}

}  // namespace

std::vector<Migration> load_migrations(std::span<const MigrationSource> sources) {
  std::vector<Migration> migrations;
  for (const auto& source : sources)
    migrations.push_back(parse(source));
  std::sort(migrations.begin(), migrations.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < migrations.size(); ++i) {
    if (migrations[i].version == migrations[i - 1].version) {
      throw MigrationError(fmt::format("migrations {} and {} share version {}",
                                       migrations[i - 1].file, migrations[i].file,
                                       format_version(migrations[i].version)));
    }
  }
  return migrations;
}

MigrationPlan plan_migrations(std::span<const Migration> known,
                              std::span<const AppliedMigration> applied) {
  MigrationPlan plan;
  plan.latest = known.empty() ? 0 : known.back().version;
  std::map<std::int64_t, const Migration*> by_version;
  for (const auto& migration : known)
    by_version.emplace(migration.version, &migration);
  for (const auto& done : applied) {
    plan.current = std::max(plan.current, done.version);
    auto it = by_version.find(done.version);
    if (it == by_version.end()) {
      throw MigrationError(fmt::format(
          "the database has migration {}_{}, which this binary does not know (it knows up to "
          "{}): the database belongs to a newer sentineld; run that version",
          format_version(done.version), done.name, format_version(plan.latest)));
    }
    if (it->second->checksum != done.checksum) {
      throw MigrationError(fmt::format(
          "migration {} was changed after it was applied (checksum {} in the database, {} in "
          "this binary): restore the file and put the change in a new migration",
          it->second->file, done.checksum, it->second->checksum));
    }
    by_version.erase(it);
  }
  for (const auto& [version, migration] : by_version) {
    if (version < plan.current) {
      throw MigrationError(fmt::format(
          "migration {} was never applied, but the database is already at {}: migrations must "
          "be applied in order; give it a version above {}",
          migration->file, format_version(plan.current), format_version(plan.current)));
    }
    plan.pending.push_back(migration);
  }
  return plan;
}

std::string format_version(std::int64_t version) {
  return fmt::format("{:04}", version);
}

}  // namespace sentinel::store
