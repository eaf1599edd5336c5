#pragma once
// Moving a store's data between stores through an archive (archive.hpp): what `sentineld
// export` and `sentineld import` run on a store thread. docs/storage.md ("Moving from SQLite to
// PostgreSQL") says what moves and what does not.

#include <cstddef>
#include <cstdint>
#include <optional>

#include "sentinel/store/session.hpp"

#include "archive.hpp"

namespace sentinel::store {

struct ExportOptions {
  std::optional<std::int64_t> since;  // samples at or after it; unset: every sample
  std::int64_t now = 0;               // agent keys retired before it are left out
};

// Writes every record the archive carries, reading through the repositories; does not finish
// the writer.
void export_archive(Session& session, archive::Writer& out, const ExportOptions& options);

struct ImportReport {
  archive::Counts rows;             // read, per record type
  std::int64_t samples_added = 0;   // the rest were stored already
  std::int64_t rollup_entries = 0;  // (agent, 5-minute bucket) pairs refreshed afterwards
};

// Writes the archive's records into the store `rows_per_transaction` rows at a time, each
// transaction complete or not at all, so an interrupted import can simply run again: rows with
// a key replace the stored ones and samples already stored (same series and time) are skipped.
// Then refreshes the rollups of the imported samples. Throws archive::ArchiveError for a bad
// line (after committing the transactions before it) and StoreError.
ImportReport import_archive(Session& session, archive::Reader& in, std::int64_t now,
                            std::size_t rows_per_transaction = 20'000);

}  // namespace sentinel::store
