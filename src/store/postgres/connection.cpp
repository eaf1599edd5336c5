#include "postgres/connection.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <poll.h>

#include <fmt/format.h>

#include "sentinel/core/config_types.hpp"
#include "sentinel/store/store.hpp"
#include "sentinel/store/url.hpp"

#include "postgres/errors.hpp"

namespace sentinel::store::postgres {
namespace {

// COPY data goes out in pieces of this size, well below libpq's int length limit.
constexpr std::size_t kCopyChunk = 1 << 20;

// libpq's messages span lines ("FATAL: ...\nserver closed the connection..."); logs want one.
std::string one_line(std::string_view text) {
  std::string line;
  for (char c : text) {
    const bool space = c == '\n' || c == '\t' || c == ' ';
    if (!space) {
      line += c;
    } else if (!line.empty() && line.back() != ' ') {
      line += ' ';
    }
  }
  if (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace

PgConnection::PgConnection(PgSettings settings, core::Logger log, Health* health)
    : settings_(std::move(settings)), log_(std::move(log)), health_(health) {}

PgConnection::~PgConnection() {
  close();
}

void PgConnection::connect() {
  close();
  const auto seconds = std::chrono::duration<double>(settings_.connect_timeout).count();
  const auto timeout = std::to_string(std::max(1L, std::lround(std::ceil(seconds))));
  // Keywords before `dbname` are defaults the URL may override; those after it win. Keepalives
  // notice a peer that vanished without closing (a partition) within about half a minute.
  const std::array<const char*, 8> keys = {
      "application_name", "keepalives_idle", "keepalives_interval", "keepalives_count",
      "dbname",           "keepalives",      "connect_timeout",     nullptr};
  const std::array<const char*, 8> values = {settings_.application_name.c_str(),
                                             "10",
                                             "5",
                                             "3",
                                             settings_.url.c_str(),
                                             "1",
                                             timeout.c_str(),
                                             nullptr};
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 1);
  if (PQstatus(conn) != CONNECTION_OK) {
    const auto reason = one_line(conn != nullptr ? PQerrorMessage(conn) : "out of memory");
    PQfinish(conn);
    lost(reason);
    throw StoreError("unavailable", "database unreachable: " + last_error_, true);
  }
  PQsetNoticeProcessor(conn, &PgConnection::on_notice, this);
  conn_ = conn;
  {
    std::lock_guard lock(cancel_mutex_);
    cancel_ = PQgetCancel(conn_);
  }
  if (settings_.statement_timeout.count() > 0) execute(statement_timeout_sql());
  if (health_ != nullptr) health_->succeeded();
}

bool PgConnection::dropped_while_idle() const noexcept {
  if (conn_ == nullptr) return false;
  pollfd socket{PQsocket(conn_), POLLIN, 0};
  return ::poll(&socket, 1, 0) > 0;
}

void PgConnection::close() noexcept {
  {
    std::lock_guard lock(cancel_mutex_);
    PQfreeCancel(cancel_);
    cancel_ = nullptr;
  }
  PQfinish(conn_);
  conn_ = nullptr;
}

PgResult PgConnection::exec_params(std::string_view sql, const Params& params) {
  const auto values = params.values();
  PGresult* result = PQexecParams(live(), std::string(sql).c_str(), params.size(), params.types(),
                                  values.data(), params.lengths(), params.formats(), 0);
  return expect(result, {PGRES_COMMAND_OK, PGRES_TUPLES_OK});
}

void PgConnection::execute(std::string_view sql) {
  expect(PQexec(live(), std::string(sql).c_str()), {PGRES_COMMAND_OK, PGRES_TUPLES_OK});
}

bool PgConnection::try_execute(std::string_view sql) noexcept {
  if (conn_ == nullptr) return false;
  PgResult result(PQexec(conn_, std::string(sql).c_str()));
  const auto status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return true;
  if (PQstatus(conn_) == CONNECTION_BAD) {
    lost(one_line(PQerrorMessage(conn_)));
    close();
  }
  return false;
}

void PgConnection::copy_from(std::string_view copy_sql, std::string_view data) {
  expect(PQexec(live(), std::string(copy_sql).c_str()), {PGRES_COPY_IN});
  bool sent = true;
  for (std::size_t offset = 0; sent && offset < data.size(); offset += kCopyChunk) {
    const auto piece = data.substr(offset, kCopyChunk);
    sent = PQputCopyData(conn_, piece.data(), static_cast<int>(piece.size())) == 1;
  }
  if (!sent || PQputCopyEnd(conn_, nullptr) != 1) fail(nullptr);
  PgResult result(PQgetResult(conn_));
  while (PGresult* rest = PQgetResult(conn_))
    PQclear(rest);
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) fail(result.get());
}

void PgConnection::interrupt() noexcept {
  std::lock_guard lock(cancel_mutex_);
  std::array<char, 256> error{};
  if (cancel_ != nullptr) PQcancel(cancel_, error.data(), static_cast<int>(error.size()));
}

std::string PgConnection::statement_timeout_sql() const {
  return fmt::format("SET statement_timeout = {}", settings_.statement_timeout.count());
}

PGconn* PgConnection::live() {
  if (conn_ == nullptr) {
    throw StoreError("unavailable", "database unreachable: " + last_error_, true);
  }
  return conn_;
}

PgResult PgConnection::expect(PGresult* result, std::initializer_list<ExecStatusType> accepted) {
  PgResult owned(result);
  if (std::find(accepted.begin(), accepted.end(), PQresultStatus(result)) == accepted.end()) {
    fail(result);
  }
  if (health_ != nullptr) health_->succeeded();
  return owned;
}

void PgConnection::fail(const PGresult* result) {
  const char* sqlstate = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  auto error = classify_sqlstate(sqlstate != nullptr ? sqlstate : "");
  auto message = primary != nullptr ? fmt::format("{} (SQLSTATE {})", primary, sqlstate)
                                    : one_line(PQerrorMessage(conn_));
  if (PQstatus(conn_) == CONNECTION_BAD) {
    lost(message);
    close();
    error = {"unavailable", true};
    message = "database unreachable: " + message;
  }
  throw StoreError(error.code, message, error.transient);
}

void PgConnection::lost(const std::string& reason) noexcept {
  // Every retry of an outage fails the same way: say it once.
  if (reason != last_error_) log_.warn("{}: {}", core::mask_url_password(settings_.url), reason);
  last_error_ = reason;
  if (health_ != nullptr) health_->failed("database unreachable: " + reason);
}

void PgConnection::on_notice(void* self, const char* message) {
  static_cast<PgConnection*>(self)->log_.debug("{}", one_line(message));
}

}  // namespace sentinel::store::postgres
