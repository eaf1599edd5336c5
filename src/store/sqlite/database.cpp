#include "sqlite/database.hpp"

#include <cassert>

#include <fmt/format.h>

#include "sentinel/store/store.hpp"

namespace sentinel::store::sqlite {
namespace {

struct ErrorClass {
  const char* code;
  bool transient;
};

ErrorClass classify(int rc) {
  switch (rc) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
      return {"conflict", false};
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {"unavailable", true};
    case SQLITE_FULL:  // space may be freed; until then writes wait upstream
      return {"resources", true};
    case SQLITE_CONSTRAINT:
      return {"constraint", false};
    case SQLITE_INTERRUPT:
      return {"timeout", false};
    default:
      return {"database", false};
  }
}

}  // namespace

void throw_error(sqlite3* db, int rc) {
  const auto error = classify(rc);
  throw StoreError(error.code,
                   fmt::format("{} ({})", db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
                               sqlite3_errstr(rc)),
                   error.transient);
}

std::string RowReader::text() {
  const auto* data = sqlite3_column_text(statement_, column_);
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, column_++));
  return data != nullptr ? std::string(reinterpret_cast<const char*>(data), size) : std::string();
}

std::optional<std::int64_t> RowReader::optional_int64() {
  if (null()) {
    ++column_;
    return std::nullopt;
  }
  return int64();
}

Statement::Statement(sqlite3* db, sqlite3_stmt* statement, bool* in_use)
    : db_(db), statement_(statement), in_use_(in_use) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), statement_(other.statement_), in_use_(other.in_use_) {
  other.statement_ = nullptr;
}

Statement::~Statement() {
  if (statement_ == nullptr) return;
  if (in_use_ == nullptr) {
    sqlite3_finalize(statement_);
    return;
  }
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
  *in_use_ = false;
}

bool Statement::step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) throw_error(db_, rc);
  return false;
}

std::int64_t Statement::run() {
  while (step()) {
  }
  return sqlite3_changes64(db_);
}

Database::Database(const SqliteSettings& settings) {
  sqlite3* db = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (settings.writer ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(settings.file.c_str(), &db, flags, nullptr);
  db_.reset(db);
  if (rc != SQLITE_OK) {
    throw StoreError("unavailable",
                     fmt::format("cannot open the database {}: {}", settings.file.string(),
                                 db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)),
                     false);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(settings.busy_timeout.count()));
  execute("PRAGMA foreign_keys = ON");
  if (!settings.writer) {
    execute("PRAGMA query_only = ON");
    return;
  }
  // WAL lets readers go on while the writer commits; it is a property of the file, and some
  // file systems (network ones) cannot have it.
  if (const auto mode = pragma("PRAGMA journal_mode = WAL"); mode != "wal") {
    throw StoreError("database",
                     fmt::format("{} cannot use write-ahead logging (journal mode stays {})",
                                 settings.file.string(), mode),
                     false);
  }
  execute(settings.synchronous == SqliteSync::kFull ? "PRAGMA synchronous = FULL"
                                                    : "PRAGMA synchronous = NORMAL");
}

Database::~Database() {
  for (auto& [sql, cached] : cache_)
    sqlite3_finalize(cached.statement);
}

void Database::execute(std::string_view sql) {
  const int rc = sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw_error(db_.get(), rc);
}

bool Database::try_execute(std::string_view sql) noexcept {
  return sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
}

Statement Database::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  // A statement still being read (the same query nested in itself) gets a fresh one.
  const bool reuse = it == cache_.end() || !it->second.in_use;
  sqlite3_stmt* statement = nullptr;
  if (it != cache_.end() && reuse) {
    statement = it->second.statement;
  } else {
    const char* tail = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                      reuse ? SQLITE_PREPARE_PERSISTENT : 0, &statement, &tail);
    if (rc != SQLITE_OK) throw_error(db_.get(), rc);
    assert(tail == sql.data() + sql.size() && "one statement per query; use execute() for more");
    if (!reuse) return Statement(db_.get(), statement, nullptr);
    it = cache_.emplace(std::string(sql), Cached{statement, false}).first;
  }
  it->second.in_use = true;
  return Statement(db_.get(), statement, &it->second.in_use);
}

std::string Database::pragma(std::string_view sql) {
  auto statement = prepare(sql);
  return statement.step() ? statement.row().text() : std::string();
}

}  // namespace sentinel::store::sqlite
