#include "sqlite/store.hpp"

#include <filesystem>

#include "sqlite/session.hpp"

namespace sentinel::store::sqlite {
namespace {

// The database holds agents' secrets and the fleet's data: only its owner may look in.
void create_private_directory(const std::filesystem::path& directory) {
  if (directory.empty() || std::filesystem::exists(directory)) return;
  std::filesystem::create_directories(directory);
  std::filesystem::permissions(directory, std::filesystem::perms::owner_all);
}

// SQLite has one writer, and with synchronous=FULL every commit waits for an fsync: writes
// queued meanwhile (pushes' nonces, batches to persist) share the next transaction instead.
constexpr std::size_t kGroupCommitJobs = 64;

}  // namespace

SqliteStore::SqliteStore(const StoreOptions& options, core::Logger log, StoreMetrics& metrics)
    : options_(options),
      log_(std::move(log)),
      writer_("sqlite_writer", log_, metrics.pool("sqlite_writer"), options.health_interval,
              kGroupCommitJobs),
      readers_("sqlite_reader", log_, metrics.pool("sqlite_reader"), options.health_interval) {}

void SqliteStore::start() {
  create_private_directory(options_.sqlite_file.parent_path());
  SqliteSettings settings{options_.sqlite_file, options_.sqlite_synchronous,
                          options_.statement_timeout, true};
  std::vector<std::unique_ptr<SessionBase>> writer;
  writer.push_back(std::make_unique<SqliteSession>(settings));  // creates the file: first
  settings.writer = false;
  std::vector<std::unique_ptr<SessionBase>> readers;
  for (std::size_t i = 0; i < options_.pool_size; ++i)
    readers.push_back(std::make_unique<SqliteSession>(settings));
  writer_.start(std::move(writer));
  readers_.start(std::move(readers));
  health_.succeeded();
  log_.info("database {} ({} readers)", options_.sqlite_file.string(), options_.pool_size);
}

void SqliteStore::stop(core::Deadline deadline) {
  writer_.stop(deadline);
  readers_.stop(deadline);
  health_.failed("the store has stopped");
}

void SqliteStore::submit(Access access, Job job) {
  (access == Access::kRead ? readers_ : writer_).submit(std::move(job));
}

}  // namespace sentinel::store::sqlite
