#include "sentinel/store/url.hpp"

namespace sentinel::store {
namespace {

constexpr std::string_view kSqliteScheme = "sqlite://";
constexpr std::string_view kDefaultSqliteFile = "sentineld.db";
}  // namespace

std::optional<StoreUrl> parse_store_url(std::string_view text) {
  if (text.empty()) return StoreUrl{};
  if (text.starts_with("postgres://") || text.starts_with("postgresql://")) {
    return StoreUrl{Backend::kPostgres, std::string(text), {}};
  }
  if (!text.starts_with(kSqliteScheme)) return std::nullopt;
  const auto path = text.substr(kSqliteScheme.size());
  // A query or fragment would silently become part of the file name.
  if (path.empty() || path == "/" || path.find_first_of("?#") != std::string_view::npos) {
    return std::nullopt;
  }
  return StoreUrl{Backend::kSqlite, {}, std::filesystem::path(path)};
}

std::filesystem::path sqlite_file(const StoreUrl& url, const std::filesystem::path& data_dir) {
  if (url.sqlite_path.empty()) return data_dir / kDefaultSqliteFile;
  if (url.sqlite_path.is_absolute()) return url.sqlite_path;
  return data_dir / url.sqlite_path;
}

}  // namespace sentinel::store
