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
    return select_bound<T>(sql, read, [&]([[maybe_unused]] auto add) { (add(args), ...); });
  }

  template <class T, class Read, class Bind>
  std::vector<T> select_bound(const std::string& sql, Read read, Bind bind) {
    Params params;
    bind([&](const auto& value) { params.add(value); });
    auto result = connection_.exec_params(sql, params);
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
