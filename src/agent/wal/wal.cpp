#include "agent/wal/wal.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/uio.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sentinel/core/durable_file.hpp"

namespace sentinel::agent::wal {
namespace {

core::Result<core::UniqueFd> lock_directory(const std::filesystem::path& dir) {
  const auto path = dir / kLockFile;
  core::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) return core::system_error("io", fmt::format("open {}", path.string()), errno);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK)
      return core::system_error("io", fmt::format("lock {}", path.string()), errno);
    auto holder = core::read_whole_file(path);
    return core::Error{"locked",
                       fmt::format("the WAL {} is in use by another process (pid {})", dir.string(),
                                   holder ? *holder : "unknown"),
                       false};
  }
  // The holder's pid, for the message above; a best effort that needs no error handling.
  const auto pid = std::to_string(::getpid());
  if (::ftruncate(fd.get(), 0) == 0) (void)!::pwrite(fd.get(), pid.data(), pid.size(), 0);
  return fd;
}

}  // namespace

core::Result<std::unique_ptr<Wal>> Wal::open(WalOptions options, core::Logger log) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) {
    return core::Error{"io", fmt::format("create {}: {}", options.dir.string(), ec.message()),
                       false};
  }
  auto lock = lock_directory(options.dir);
  if (!lock) return lock.error();
  std::unique_ptr<Wal> wal(new Wal(std::move(options), std::move(log), std::move(*lock)));
  if (auto loaded = wal->load(); !loaded) return loaded.error();
  return wal;
}

Wal::Wal(WalOptions options, core::Logger log, core::UniqueFd lock)
    : options_(std::move(options)), log_(std::move(log)), lock_(std::move(lock)) {}

Wal::~Wal() {
  if (auto synced = sync(); !synced)
    log_.error("final WAL sync failed: {}", synced.error().message);
}

core::Status Wal::load() {
  if (auto bytes = core::read_whole_file(options_.dir / kWatermarkFile)) {
    if (auto watermark = decode_watermark(*bytes)) {
      acked_id_ = watermark->id;
      acked_tag_ = last_tag_ = watermark->tag;
    } else {
      log_.warn("the WAL watermark in {} is damaged; unacked batches may be sent again",
                options_.dir.string());
    }
  }
  for (const auto& file : list_segment_files(options_.dir)) {
    if (auto loaded = load_segment(file.first_id, file.path); !loaded) return loaded;
  }
  std::uint64_t last_id = acked_id_;
  if (!segments_.empty()) last_id = std::max(last_id, segments_.back().first_id - 1);
  for (const auto& segment : segments_) {
    if (!segment.records.empty()) last_id = std::max(last_id, segment.records.back().id);
  }
  next_id_ = last_id + 1;
  durable_id_ = next_id_ - 1;
  while (front_segment_acked())
    delete_front_segment();
  return core::fsync_directory(options_.dir);
}

core::Status Wal::load_segment(std::uint64_t first_id, const std::filesystem::path& path) {
  const std::uint64_t min_id = segments_.empty() || segments_.back().records.empty()
                                   ? first_id
                                   : std::max(first_id, segments_.back().records.back().id + 1);
  auto scan = scan_segment_file(path, min_id);
  if (!scan) return scan.error();
  if (scan->bad_magic) {
    log_.error("{} is not a WAL segment or its start is damaged; set aside as .damaged",
               path.string());
    ++counters_.corrupt_records;
    std::error_code ec;
    std::filesystem::rename(path, std::filesystem::path(path) += ".damaged", ec);
    if (ec) return core::Error{"io", fmt::format("rename {}: {}", path.string(), ec.message())};
    return core::ok_status();
  }
  for (const auto& range : scan->damaged) {
    log_.error("WAL segment {}: {} damaged bytes at offset {} skipped", path.string(), range.size,
               range.offset);
  }
  counters_.corrupt_records += scan->damaged.size();
  core::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return core::system_error("io", fmt::format("open {}", path.string()), errno);
  if (scan->valid_end < kSegmentMagic.size()) {
    // Created but never written completely: start it again.
    if (::ftruncate(fd.get(), 0) != 0 ||
        ::pwrite(fd.get(), kSegmentMagic.data(), kSegmentMagic.size(), 0) !=
            static_cast<ssize_t>(kSegmentMagic.size())) {
      return core::system_error("io", fmt::format("rewrite {}", path.string()), errno);
    }
    scan->valid_end = kSegmentMagic.size();
  } else if (scan->valid_end < scan->file_size) {
    if (scan->torn) {
      log_.warn("WAL segment {}: torn tail of {} bytes truncated", path.string(),
                scan->file_size - scan->valid_end);
    }
    if (::ftruncate(fd.get(), static_cast<off_t>(scan->valid_end)) != 0) {
      return core::system_error("io", fmt::format("truncate {}", path.string()), errno);
    }
  }
  // Whatever a crashed predecessor left in the page cache becomes durable before it is sent.
  if (::fdatasync(fd.get()) != 0) {
    return core::system_error("io", fmt::format("fsync {}", path.string()), errno);
  }
  if (!scan->records.empty()) last_tag_ = std::max(last_tag_, scan->records.back().tag);
  total_bytes_ += scan->valid_end;
  segments_.push_back({first_id, path, std::move(scan->records), scan->valid_end, std::move(fd)});
  return core::ok_status();
}

core::Status Wal::open_segment(std::uint64_t first_id) {
  const auto path = options_.dir / segment_file_name(first_id);
  core::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return core::system_error("io", fmt::format("create {}", path.string()), errno);
  const bool written = ::pwrite(fd.get(), kSegmentMagic.data(), kSegmentMagic.size(), 0) ==
                       static_cast<ssize_t>(kSegmentMagic.size());
  if (!written || ::fdatasync(fd.get()) != 0) {
    auto error = core::system_error("io", fmt::format("write {}", path.string()), errno);
    ::unlink(path.c_str());
    return error;
  }
  if (auto synced = core::fsync_directory(options_.dir); !synced) return synced;
  total_bytes_ += kSegmentMagic.size();
  segments_.push_back({first_id, path, {}, kSegmentMagic.size(), std::move(fd)});
  return core::ok_status();
}

core::Result<std::uint64_t> Wal::append(std::string_view payload, std::int64_t time_ms,
                                        std::uint64_t tag) {
  const std::uint64_t record_size = kHeaderSize + payload.size();
  if (payload.size() > kMaxPayload) {
    core::Error error{"io", fmt::format("a record of {} bytes is over the limit", payload.size())};
    count_failed_append(error);
    return error;
  }
  const bool full = !segments_.empty() && !segments_.back().records.empty() &&
                    segments_.back().size + record_size > options_.segment_size;
  if (segments_.empty() || full) {
    // The segment left behind must be durable before a later sync() covers only the new one.
    if (auto synced = sync(); !synced) {
      count_failed_append(synced.error());
      return synced.error();
    }
    if (auto opened = open_segment(next_id_); !opened) {
      count_failed_append(opened.error());
      return opened.error();
    }
  }
  const std::uint64_t id = next_id_;
  auto& segment = segments_.back();
  const auto header = encode_header(id, time_ms, tag, payload);
  if (auto written = write_record(segment, header, payload); !written) {
    count_failed_append(written.error());
    return written.error();
  }
  segment.records.push_back(
      {id, time_ms, tag, segment.size, static_cast<std::uint32_t>(payload.size())});
  segment.size += record_size;
  total_bytes_ += record_size;
  ++next_id_;
  last_tag_ = std::max(last_tag_, tag);
  ++counters_.appended;
  counters_.appended_bytes += record_size;
  if (options_.sync_every_record) {
    durable_id_ = id;
  } else {
    dirty_ = true;
  }
  return id;
}

core::Status Wal::write_record(Segment& segment, std::string_view header,
                               std::string_view payload) {
  iovec parts[2] = {{const_cast<char*>(header.data()), header.size()},
                    {const_cast<char*>(payload.data()), payload.size()}};
  const auto expected = static_cast<ssize_t>(header.size() + payload.size());
  ssize_t written = ::pwritev(segment.fd.get(), parts, 2, static_cast<off_t>(segment.size));
  bool ok = written == expected;
  int error_number = written < 0 ? errno : ENOSPC;  // a short write means the disk filled up
  if (ok && options_.sync_every_record && ::fdatasync(segment.fd.get()) != 0) {
    ok = false;
    error_number = errno;
  }
  if (ok) return core::ok_status();
  // Cut off whatever part of the record reached the file, so that it stays a valid segment.
  if (::ftruncate(segment.fd.get(), static_cast<off_t>(segment.size)) != 0) {
    log_.error("cannot truncate {} after a failed append: {}", segment.path.string(),
               std::strerror(errno));
  }
  return core::system_error("io", fmt::format("append to {}", segment.path.string()), error_number);
}

void Wal::count_failed_append(const core::Error& error) {
  if (error.code == "disk_full") {
    ++counters_.dropped_disk_full;
  } else {
    ++counters_.dropped_io_error;
  }
  log_.error("WAL append failed, batch dropped: {}", error.message);
}

core::Status Wal::sync() {
  if (!dirty_ || segments_.empty()) return core::ok_status();
  if (::fdatasync(segments_.back().fd.get()) != 0) {
    return core::system_error("io", fmt::format("fsync {}", segments_.back().path.string()), errno);
  }
  dirty_ = false;
  durable_id_ = next_id_ - 1;
  return core::ok_status();
}

std::vector<WalRecord> Wal::read_after(std::uint64_t after, std::size_t max_records,
                                       std::size_t max_bytes) {
  std::vector<WalRecord> out;
  std::size_t bytes = 0;
  for (auto& segment : segments_) {
    auto& records = segment.records;
    auto it = std::upper_bound(records.begin(), records.end(), after,
                               [](std::uint64_t id, const RecordInfo& r) { return id < r.id; });
    while (it != records.end() && it->id <= durable_id_) {
      if (out.size() >= max_records || (!out.empty() && bytes + it->length > max_bytes)) return out;
      std::string buffer(kHeaderSize + it->length, '\0');
      const auto n =
          ::pread(segment.fd.get(), buffer.data(), buffer.size(), static_cast<off_t>(it->offset));
      const std::string_view view(buffer);
      if (n != static_cast<ssize_t>(buffer.size()) ||
          !crc_matches(view.substr(0, kHeaderSize), view.substr(kHeaderSize))) {
        log_.error("WAL record {} in {} is unreadable or damaged; skipped", it->id,
                   segment.path.string());
        ++counters_.corrupt_records;
        it = records.erase(it);
        continue;
      }
      bytes += it->length;
      out.push_back({it->id, it->time_ms, it->tag, buffer.substr(kHeaderSize)});
      ++it;
    }
  }
  return out;
}

core::Status Wal::ack(std::uint64_t id, std::uint64_t tag) {
  if (id <= acked_id_) return core::ok_status();
  acked_id_ = id;
  acked_tag_ = tag;
  auto written = core::write_file_atomically(options_.dir / kWatermarkFile,
                                             encode_watermark({acked_id_, acked_tag_}), 0600);
  if (!written) return written;
  bool deleted = false;
  while (front_segment_acked()) {
    delete_front_segment();
    deleted = true;
  }
  return deleted ? core::fsync_directory(options_.dir) : core::ok_status();
}

bool Wal::front_segment_acked() const {
  // The newest segment stays: its name keeps ids increasing across restarts.
  return segments_.size() > 1 && segments_[1].first_id - 1 <= acked_id_;
}

void Wal::delete_front_segment() {
  auto& segment = segments_.front();
  if (::unlink(segment.path.c_str()) != 0) {
    log_.error("cannot delete WAL segment {}: {}", segment.path.string(), std::strerror(errno));
  }
  total_bytes_ -= segment.size;
  segments_.pop_front();
}

void Wal::enforce_caps(std::int64_t now_ms) {
  const std::int64_t oldest_allowed = now_ms - options_.max_age.count();
  while (segments_.size() > 1) {
    const auto& oldest = segments_.front();
    const bool too_big = total_bytes_ > options_.max_size;
    const bool too_old = !oldest.records.empty() && oldest.records.back().time_ms < oldest_allowed;
    if (!too_big && !too_old) return;
    const auto unacked = static_cast<std::uint64_t>(
        std::count_if(oldest.records.begin(), oldest.records.end(),
                      [&](const RecordInfo& r) { return r.id > acked_id_; }));
    (too_big ? counters_.dropped_size : counters_.dropped_age) += unacked;
    log_.warn("WAL over its {} cap: dropped segment {} with {} unacked batches",
              too_big ? "size" : "age", oldest.path.filename().string(), unacked);
    delete_front_segment();
  }
}

WalStats Wal::stats() const {
  WalStats stats{total_bytes_, segments_.size(), 0, 0};
  for (const auto& segment : segments_) {
    for (auto it = segment.records.rbegin(); it != segment.records.rend() && it->id > acked_id_;
         ++it) {
      ++stats.backlog_records;
      stats.backlog_bytes += kHeaderSize + it->length;
    }
  }
  return stats;
}

}  // namespace sentinel::agent::wal
