#include "credential_queries.hpp"
#include "sqlite/repositories.hpp"

namespace sentinel::store::sqlite {
namespace {

// The shared SQL numbers its parameters $1, $2, ...; SQLite reads ?1, ?2, ... as positions.
std::string positional(std::string_view sql) {
  std::string out(sql);
  for (auto& c : out) {
    if (c == '$') c = '?';
  }
  return out;
}

class SqliteSql {
 public:
  explicit SqliteSql(Database& db) : db_(db) {}

  template <class... Args>
  std::int64_t change(std::string_view sql, const Args&... args) {
    return db_.query(positional(sql), args...).run();
  }

  template <class T, class Read, class... Args>
  std::vector<T> select(const std::string& sql, Read read, const Args&... args) {
    return select_bound<T>(sql, read, [&]([[maybe_unused]] auto add) { (add(args), ...); });
  }

  template <class T, class Read, class Bind>
  std::vector<T> select_bound(const std::string& sql, Read read, Bind bind) {
    auto statement = db_.query(positional(sql));
    int index = 1;
    bind([&](const auto& value) { statement.bind(index++, value); });
    std::vector<T> rows;
    while (statement.step()) {
      auto row = statement.row();
      rows.push_back(read(row));
    }
    return rows;
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<CredentialRepository> make_credentials(Database& db) {
  return std::make_unique<CredentialQueries<SqliteSql>>(db);
}

}  // namespace sentinel::store::sqlite
