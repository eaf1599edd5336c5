#pragma once
// One libpq connection, used by one thread at a time. Every failure becomes a StoreError
// classified by its SQLSTATE; a connection found broken is closed, and reports the database
// unreachable until connect() succeeds again.

#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>

#include <libpq-fe.h>

#include "sentinel/core/config_types.hpp"
#include "sentinel/core/log.hpp"

#include "health.hpp"
#include "postgres/params.hpp"
#include "postgres/result.hpp"

namespace sentinel::store::postgres {

struct PgSettings {
  std::string url;  // a postgres:// URL (keywords in its query string included)
  core::Duration connect_timeout = std::chrono::seconds(5);
  core::Duration statement_timeout = std::chrono::seconds(30);  // zero: none
  std::string application_name = "sentineld";
};

class PgConnection {
 public:
  // `health`, when given, hears of every connect and every loss of the connection.
  PgConnection(PgSettings settings, core::Logger log, Health* health = nullptr);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // (Re)connects and applies the statement timeout; throws a transient StoreError.
  void connect();
  bool connected() const { return conn_ != nullptr; }
  // Whether the server has closed this idle connection: it speaks unasked only to say that it
  // goes (a restart, an administrator's terminate), so anything to read now means so.
  bool dropped_while_idle() const noexcept;
  void close() noexcept;

  template <class... Args>
  PgResult exec(std::string_view sql, const Args&... args) {
    Params params;
    (params.add(args), ...);
    return exec_params(sql, params);
  }
  PgResult exec_params(std::string_view sql, const Params& params);
  // Statements without parameters, several allowed (a migration script).
  void execute(std::string_view sql);
  // For clean-up paths: false instead of an exception.
  bool try_execute(std::string_view sql) noexcept;
  // Sends `data` to a `COPY ... FROM STDIN` statement.
  void copy_from(std::string_view copy_sql, std::string_view data);

  // From any thread: asks the server to cancel the statement running now.
  void interrupt() noexcept;
  int socket() const { return PQsocket(conn_); }
  const PgSettings& settings() const { return settings_; }
  std::string statement_timeout_sql() const;

 private:
  PGconn* live();
  PgResult expect(PGresult* result, std::initializer_list<ExecStatusType> accepted);
  [[noreturn]] void fail(const PGresult* result);
  void lost(const std::string& reason) noexcept;
  static void on_notice(void* self, const char* message);

  PgSettings settings_;
  core::Logger log_;
  Health* health_;
  PGconn* conn_ = nullptr;
  std::string last_error_ = "not connected";
  std::mutex cancel_mutex_;  // interrupt() runs on another thread than connect() and close()
  PGcancel* cancel_ = nullptr;
};

}  // namespace sentinel::store::postgres
