// `sentineld export` and `sentineld import`: files and streams around export_archive() and
// import_archive() (transfer.hpp).

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>

#include <fmt/format.h>

#include "sentinel/core/config_types.hpp"
#include "sentinel/core/unix_time.hpp"
#include "sentinel/core/version.hpp"
#include "sentinel/store/command.hpp"

#include "command_store.hpp"
#include "transfer.hpp"

namespace sentinel::store {
namespace {

constexpr int kUsageError = 2;

// "30d" back from `now`, or an RFC 3339 UTC time ("2026-11-01" or "2026-11-01T12:00:00Z").
std::optional<std::int64_t> parse_since(const std::string& text, std::int64_t now) {
  if (auto duration = core::parse_duration(text)) return now - duration->count();
  for (const char* format : {"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"}) {
    std::tm tm{};
    const char* end = strptime(text.c_str(), format, &tm);
    if (end != nullptr && *end == '\0') return static_cast<std::int64_t>(timegm(&tm)) * 1000;
  }
  return std::nullopt;
}

std::string_view backend_name(Backend backend) {
  return backend == Backend::kPostgres ? "postgres" : "sqlite";
}

void print_counts(std::ostream& out, const archive::Counts& counts) {
  for (const auto& [type, rows] : counts)
    out << fmt::format("  {:<18} {}\n", type, rows);
}

// Reads a whole archive without writing anything: its last line proves it complete.
int check_archive(std::istream& in, const std::string& name) {
  try {
    archive::Reader reader(in);
    while (reader.next()) {
    }
    return 0;
  } catch (const archive::ArchiveError& e) {
    fmt::print(stderr, "sentineld import: {}: {}; nothing was imported\n", name, e.what());
    return 1;
  }
}

int import_from(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                std::filesystem::path default_data_dir, std::istream& in, const std::string& name) {
  std::optional<archive::Reader> reader;
  try {
    reader.emplace(in);  // a foreign or newer archive goes no further
  } catch (const archive::ArchiveError& e) {
    fmt::print(stderr, "sentineld import: {}: {}; nothing was imported\n", name, e.what());
    return 1;
  }
  return run_store_command(
      catalog, std::move(inputs), std::move(default_data_dir), "import", true,
      [&](StoreBackend& backend, Session& session) {
        const auto report = import_archive(session, *reader, core::unix_ms());
        const auto& header = reader->header();
        std::cout << fmt::format("imported {} (sentineld {}, {}, exported at {} ms) into {}:\n",
                                 name, header.sentineld, header.backend, header.exported_at,
                                 backend_name(backend.backend()));
        print_counts(std::cout, report.rows);
        std::cout << fmt::format("samples added: {} (the rest were stored already)\n",
                                 report.samples_added);
        return 0;
      });
}

}  // namespace

int export_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                   std::filesystem::path default_data_dir, const ExportRequest& request) {
  ExportOptions options;
  options.now = core::unix_ms();
  if (!request.since.empty()) {
    options.since = parse_since(request.since, options.now);
    if (!options.since) {
      fmt::print(stderr,
                 "sentineld export: --since \"{}\": expected a duration (30d, 12h) or a UTC time "
                 "(2026-11-01, 2026-11-01T12:00:00Z)\n",
                 request.since);
      return kUsageError;
    }
  }
  // A file is written under a temporary name and renamed when complete.
  const bool to_stdout = request.output == "-";
  const std::filesystem::path partial = request.output + ".partial";
  std::ofstream file;
  if (!to_stdout) {
    file.open(partial, std::ios::binary | std::ios::trunc);
    if (!file) {
      fmt::print(stderr, "sentineld export: cannot write {}: {}\n", partial.string(),
                 std::strerror(errno));
      return kUsageError;
    }
  }
  std::ostream& out = to_stdout ? std::cout : file;
  const int status = run_store_command(
      catalog, std::move(inputs), std::move(default_data_dir), "export", false,
      [&](StoreBackend& backend, Session& session) {
        archive::Writer writer(
            out, {archive::kVersion, std::string(core::version()),
                  std::string(backend_name(backend.backend())), options.now, options.since});
        export_archive(session, writer, options);
        writer.finish();
        std::cerr << "exported:\n";
        print_counts(std::cerr, writer.counts());
        std::cerr << "agent keys and notifier secrets stay sealed with this deployment's master "
                     "key: run the destination with the same key (master_key, "
                     "SENTINEL_MASTER_KEY; in dev mode <data_dir>/master.key)\n";
        return 0;
      });
  if (to_stdout) return status;
  file.close();
  std::error_code error;
  if (status == 0) std::filesystem::rename(partial, request.output, error);
  if (status != 0 || error) {
    if (error) fmt::print(stderr, "sentineld export: {}: {}\n", request.output, error.message());
    std::filesystem::remove(partial, error);
    return 1;
  }
  return 0;
}

int import_command(const core::ComponentCatalog& catalog, core::ConfigInputs inputs,
                   std::filesystem::path default_data_dir, const std::string& input) {
  if (input == "-") {
    return import_from(catalog, std::move(inputs), std::move(default_data_dir), std::cin, "stdin");
  }
  std::ifstream file(input, std::ios::binary);
  if (!file) {
    fmt::print(stderr, "sentineld import: cannot read {}: {}\n", input, std::strerror(errno));
    return kUsageError;
  }
  // A pipe (`import <(...)`) can be read once only: it streams, as stdin does.
  std::error_code error;
  if (std::filesystem::is_regular_file(input, error)) {
    if (const int status = check_archive(file, input); status != 0) return status;
    file.clear();
    file.seekg(0);
  }
  return import_from(catalog, std::move(inputs), std::move(default_data_dir), file, input);
}

}  // namespace sentinel::store
