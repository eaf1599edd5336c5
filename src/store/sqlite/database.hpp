#pragma once
// One SQLite connection, used by one thread at a time, with its statements prepared once and
// reused. Every failure becomes a StoreError; SQLITE_BUSY and SQLITE_LOCKED are transient.

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <sqlite3.h>

#include "sentinel/core/config_types.hpp"
#include "sentinel/store/component.hpp"

namespace sentinel::store::sqlite {

[[noreturn]] void throw_error(sqlite3* db, int rc);

// Walks the columns of the current row in order.
class RowReader {
 public:
  explicit RowReader(sqlite3_stmt* statement) : statement_(statement) {}

  bool null() const { return sqlite3_column_type(statement_, column_) == SQLITE_NULL; }
  std::string text();
  std::int64_t int64() { return sqlite3_column_int64(statement_, column_++); }
  std::int32_t int32() { return static_cast<std::int32_t>(int64()); }
  // NULL reads as NaN: SQLite stores a bound NaN as NULL (samples.value).
  double float8() {
    return null() ? (++column_, std::numeric_limits<double>::quiet_NaN())
                  : sqlite3_column_double(statement_, column_++);
  }
  bool boolean() { return int64() != 0; }
  std::optional<std::int64_t> optional_int64();

 private:
  sqlite3_stmt* statement_;
  int column_ = 0;
};

// A prepared statement on loan from its Database: reset and unbound when it goes away.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* statement, bool* in_use);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;

  template <class T>
  void bind(int index, const T& value) {
    int rc = SQLITE_OK;
    if constexpr (std::is_same_v<T, std::nullopt_t>) {
      rc = sqlite3_bind_null(statement_, index);
    } else if constexpr (requires { value.has_value(); }) {
      if (value.has_value()) return bind(index, *value);
      rc = sqlite3_bind_null(statement_, index);
    } else if constexpr (std::is_same_v<T, bool>) {
      rc = sqlite3_bind_int(statement_, index, value ? 1 : 0);
    } else if constexpr (std::is_floating_point_v<T>) {
      rc = sqlite3_bind_double(statement_, index, value);
    } else if constexpr (std::is_integral_v<T>) {
      rc = sqlite3_bind_int64(statement_, index, static_cast<sqlite3_int64>(value));
    } else {
      const std::string_view text(value);
      rc = sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                               SQLITE_UTF8);
    }
    if (rc != SQLITE_OK) throw_error(db_, rc);
  }

  // True while there is a row to read.
  bool step();
  // Steps to the end; returns the rows an INSERT, UPDATE or DELETE changed.
  std::int64_t run();
  RowReader row() const { return RowReader(statement_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_;
  bool* in_use_;  // the cache's flag; null for a statement of its own
};

struct SqliteSettings {
  std::filesystem::path file;
  SqliteSync synchronous = SqliteSync::kFull;
  core::Duration busy_timeout = std::chrono::seconds(30);
  bool writer = true;  // false: the connection refuses to write (PRAGMA query_only)
};

class Database {
 public:
  // Opens (creating the file for a writer) and configures: WAL, foreign keys, busy timeout.
  explicit Database(const SqliteSettings& settings);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Statements without parameters, several allowed (a migration script).
  void execute(std::string_view sql);
  bool try_execute(std::string_view sql) noexcept;

  template <class... Args>
  Statement query(std::string_view sql, const Args&... args) {
    Statement statement = prepare(sql);
    int index = 1;
    (statement.bind(index++, args), ...);
    return statement;
  }

  // From any thread: makes the statement running now fail with SQLITE_INTERRUPT.
  void interrupt() noexcept { sqlite3_interrupt(db_.get()); }
  // False in autocommit mode: no transaction open, or SQLite rolled it back by itself.
  bool in_transaction() const noexcept { return sqlite3_get_autocommit(db_.get()) == 0; }

 private:
  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  struct Cached {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;
  };

  Statement prepare(std::string_view sql);
  std::string pragma(std::string_view sql);

  std::unique_ptr<sqlite3, Close> db_;
  std::map<std::string, Cached, std::less<>> cache_;
};

}  // namespace sentinel::store::sqlite
