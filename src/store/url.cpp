#include "sentinel/store/url.hpp"

namespace sentinel::store {
namespace {

constexpr std::string_view kSqliteScheme = "sqlite://";
constexpr std::string_view kDefaultSqliteFile = "sentineld.db";
constexpr std::string_view kMask = "***";

// Replaces the password of "user:password@" in the authority, if any. The last '@' ends the
// user info: an unencoded '@' in a password is common and libpq reads it that way too.
std::string mask_user_info(std::string url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const auto start = scheme_end + 3;
  auto end = url.find_first_of("/?#", start);
  if (end == std::string::npos) end = url.size();
  const auto at = url.rfind('@', end);
  if (at == std::string::npos || at < start) return url;
  const auto colon = url.find(':', start);
  if (colon == std::string::npos || colon > at) return url;
  return url.replace(colon + 1, at - colon - 1, kMask);
}

std::string mask_password_parameter(std::string url) {
  auto query = url.find('?');
  while (query != std::string::npos) {
    const auto name = query + 1;
    const auto next = url.find('&', name);
    const auto length = (next == std::string::npos ? url.size() : next) - name;
    if (std::string_view(url).substr(name, length).starts_with("password=")) {
      url.replace(name + 9, length - 9, kMask);
    }
    query = url.find('&', name);
  }
  return url;
}

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

std::string mask_url_password(std::string_view url) {
  return mask_password_parameter(mask_user_info(std::string(url)));
}

}  // namespace sentinel::store
