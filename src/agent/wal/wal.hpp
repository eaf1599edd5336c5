#pragma once
// The agent's write-ahead log: every batch is appended here before anything tries to send it,
// and stays until the gateway has acknowledged it (or a cap drops it). Segmented append-only
// files with a CRC per record (format.hpp), fsync per record or in groups, an acked watermark
// persisted crash-safely, fully acked segments deleted whole, caps by size and age that drop the
// oldest segment, and a lock file so that one process at a time owns the directory.
//
// Not thread-safe: the agent calls it from its strand. Expected failures (a full disk, a locked
// directory) are values; nothing here throws.

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/core/config_types.hpp"
#include "sentinel/core/log.hpp"
#include "sentinel/core/result.hpp"
#include "sentinel/core/unique_fd.hpp"

#include "agent/wal/format.hpp"

namespace sentinel::agent::wal {

struct WalOptions {
  std::filesystem::path dir;
  std::uint64_t segment_size = 16 * 1024 * 1024;
  std::uint64_t max_size = 256 * 1024 * 1024;
  core::Duration max_age = std::chrono::hours(72);
  // true: fdatasync before append() returns; false: the owner calls sync() every few ms.
  bool sync_every_record = true;
};

struct WalRecord {
  std::uint64_t id = 0;
  std::int64_t time_ms = 0;
  std::uint64_t tag = 0;
  std::string payload;
};

// Totals since open; the owner mirrors them into metrics.
struct WalCounters {
  std::uint64_t appended = 0;
  std::uint64_t appended_bytes = 0;
  std::uint64_t dropped_size = 0;       // unacked records in segments dropped by the size cap
  std::uint64_t dropped_age = 0;        // ... by the age cap
  std::uint64_t dropped_disk_full = 0;  // appends refused by a full disk
  std::uint64_t dropped_io_error = 0;   // appends that failed otherwise
  std::uint64_t corrupt_records = 0;    // damaged ranges skipped at open or on read
};

struct WalStats {
  std::uint64_t bytes = 0;
  std::uint64_t segments = 0;
  std::uint64_t backlog_records = 0;  // unacked
  std::uint64_t backlog_bytes = 0;
};

class Wal {
 public:
  // Locks the directory, scans every segment, truncates a torn tail, skips damaged records
  // (logged and counted) and deletes fully acked segments. Error code "locked" when another
  // process holds the directory.
  static core::Result<std::unique_ptr<Wal>> open(WalOptions options, core::Logger log);
  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Appends a record and returns its id. On failure (code "disk_full" or "io") the record is
  // dropped and counted, and the files stay as they were before the call.
  core::Result<std::uint64_t> append(std::string_view payload, std::int64_t time_ms,
                                     std::uint64_t tag);
  // Makes every appended record durable (group fsync).
  core::Status sync();
  // Durable records with ids above `after`, in order: at most `max_records`, and at most
  // `max_bytes` of payload unless the first record alone is larger.
  std::vector<WalRecord> read_after(std::uint64_t after, std::size_t max_records,
                                    std::size_t max_bytes);
  // Records that every record up to `id` is done with (delivered or parked), persists the
  // watermark and deletes segments it covers. `tag` is the tag of record `id`.
  core::Status ack(std::uint64_t id, std::uint64_t tag);
  // Drops the oldest segments while the WAL is over its size cap or they are over the age cap.
  void enforce_caps(std::int64_t now_ms);

  std::uint64_t next_id() const { return next_id_; }
  std::uint64_t durable_id() const { return durable_id_; }
  std::uint64_t acked_id() const { return acked_id_; }
  // The highest tag written or acked, so numbering can continue after a restart.
  std::uint64_t last_tag() const { return last_tag_; }
  WalStats stats() const;
  const WalCounters& counters() const { return counters_; }

 private:
  struct Segment {
    std::uint64_t first_id = 0;
    std::filesystem::path path;
    std::vector<RecordInfo> records;
    std::uint64_t size = 0;
    core::UniqueFd fd;
  };

  Wal(WalOptions options, core::Logger log, core::UniqueFd lock);
  core::Status load();
  core::Status load_segment(std::uint64_t first_id, const std::filesystem::path& path);
  core::Status open_segment(std::uint64_t first_id);
  core::Status write_record(Segment& segment, std::string_view header, std::string_view payload);
  void count_failed_append(const core::Error& error);
  void delete_front_segment();
  bool front_segment_acked() const;

  WalOptions options_;
  core::Logger log_;
  core::UniqueFd lock_;
  std::deque<Segment> segments_;
  std::uint64_t total_bytes_ = 0;
  std::uint64_t next_id_ = 1;
  std::uint64_t durable_id_ = 0;
  std::uint64_t acked_id_ = 0;
  std::uint64_t acked_tag_ = 0;
  std::uint64_t last_tag_ = 0;
  bool dirty_ = false;
  WalCounters counters_;
};

}  // namespace sentinel::agent::wal
