#pragma once
// `store.url` picks the backend:
//   postgres://... or postgresql://...   PostgreSQL; the URL goes to libpq as it is
//   sqlite:///abs/path.db                SQLite at an absolute path
//   sqlite://relative.db                 SQLite relative to the data directory
//   empty                                SQLite at <data_dir>/sentineld.db (the default)

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/store/store.hpp"

namespace sentinel::store {

struct StoreUrl {
  Backend backend = Backend::kSqlite;
  std::string postgres;               // kPostgres: the libpq URL (it may hold a password)
  std::filesystem::path sqlite_path;  // kSqlite: as written; empty means the default
};

// nullopt when the scheme is none of the above or a SQLite URL has no usable path.
std::optional<StoreUrl> parse_store_url(std::string_view text);

// The database file of a SQLite URL: absolute paths as they are, the rest under `data_dir`.
std::filesystem::path sqlite_file(const StoreUrl& url, const std::filesystem::path& data_dir);

}  // namespace sentinel::store
