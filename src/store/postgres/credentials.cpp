#include "credential_queries.hpp"
#include "postgres/repositories.hpp"

namespace sentinel::store::postgres {
namespace {

class PgSql {
 public:
  explicit PgSql(PgConnection& connection) : connection_(connection) {}

  template <class... Args>
  std::int64_t change(std::string_view sql, const Args&... args) {
    return connection_.exec(sql, args...).affected();
  }

  template <class T, class Read, class... Args>
  std::vector<T> select(const std::string& sql, Read read, const Args&... args) {
    auto result = connection_.exec(sql, args...);
    std::vector<T> rows;
    for (int i = 0; i < result.rows(); ++i) {
      auto row = result.row(i);
      rows.push_back(read(row));
    }
    return rows;
  }

 private:
  PgConnection& connection_;
};

}  // namespace

std::unique_ptr<CredentialRepository> make_credentials(PgConnection& connection) {
  return std::make_unique<CredentialQueries<PgSql>>(connection);
}

}  // namespace sentinel::store::postgres
