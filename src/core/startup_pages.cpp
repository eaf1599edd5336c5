#include "sentinel/core/startup_pages.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <set>
#include <sstream>
#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sentinel/core/durable_file.hpp"

namespace sentinel::core {
namespace {

std::uintptr_t parse_address(std::string_view hex) {
  std::uintptr_t value = 0;
  std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
  return value;
}

// The header line of a mapping in /proc/<pid>/smaps, as in maps: "begin-end perms offset dev
// inode   path"; the path, which may contain spaces, is the rest of the line and is empty for
// anonymous memory. Only read-only private mappings of files qualify.
std::optional<ReadOnlyFileMapping> parse_header(const std::string& line) {
  std::istringstream fields(line);
  std::string range, perms, offset, device, inode;
  if (!(fields >> range >> perms >> offset >> device >> inode)) return std::nullopt;
  std::string path;
  std::getline(fields >> std::ws, path);
  const auto dash = range.find('-');
  const bool read_only_private =
      perms.size() == 4 && perms[0] == 'r' && perms[1] != 'w' && perms[3] == 'p';
  if (dash == std::string::npos || !read_only_private || !path.starts_with('/')) {
    return std::nullopt;
  }
  const std::string_view text(range);
  return ReadOnlyFileMapping{parse_address(text.substr(0, dash)),
                             parse_address(text.substr(dash + 1)), std::move(path)};
}

// "Anonymous:  12 kB" or "Swap:  0 kB": pages of the mapping that are private copies, resident
// or swapped out.
bool holds_private_copies(const std::string& line) {
  if (!line.starts_with("Anonymous:") && !line.starts_with("Swap:")) return false;
  std::istringstream fields(line.substr(line.find(':') + 1));
  std::size_t kib = 0;
  fields >> kib;
  return kib > 0;
}

std::size_t resident_bytes() {
  auto text = read_whole_file("/proc/self/statm");
  std::istringstream statm(text ? *text : std::string());
  std::size_t size_pages = 0, resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

Status advise(const ReadOnlyFileMapping& mapping, int advice, const char* name) {
  // NOLINTNEXTLINE(performance-no-int-to-ptr): the address comes from the kernel's own listing.
  auto* start = reinterpret_cast<void*>(mapping.begin);
  if (::madvise(start, mapping.end - mapping.begin, advice) == 0) return ok_status();
  return Error{"unsupported", fmt::format("madvise({}) of {} failed: {}", name, mapping.path,
                                          std::strerror(errno))};
}

// Drops the file's cached pages that no process maps: those the process just unmapped, and the
// rest, which the kernel's fault-around (it maps the cached neighbours of a faulting page) would
// otherwise bring back into the process.
void drop_unmapped_cache(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // e.g. "(deleted)" after an upgrade: its pages go with the last mapping
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);  // advice only: nothing to do if refused
  ::close(fd);
}

}  // namespace

std::vector<ReadOnlyFileMapping> read_only_file_mappings(std::string_view smaps) {
  std::vector<ReadOnlyFileMapping> mappings;
  std::optional<ReadOnlyFileMapping> current;
  bool private_copies = false;
  auto finish = [&] {
    if (current && !private_copies) mappings.push_back(std::move(*current));
    current.reset();
    private_copies = false;
  };
  std::istringstream lines{std::string(smaps)};
  for (std::string line; std::getline(lines, line);) {
    // A mapping's header starts with its address range; its fields start with a "Name:".
    const bool header = !line.empty() && line.find(':') > line.find(' ');
    if (header) {
      finish();
      current = parse_header(line);
    } else {
      private_copies = private_copies || holds_private_copies(line);
    }
  }
  finish();
  return mappings;
}

Result<ReleasedPages> release_startup_pages() {
  ReleasedPages released;
  released.resident_before = resident_bytes();
  // The listing stays true while it is advised: sentineld loads and unloads no library once it
  // runs, and read-only mappings gain no private copies (short of a debugger writing to them).
  const auto smaps = read_whole_file("/proc/self/smaps");
  if (!smaps) return smaps.error();
  const auto mappings = read_only_file_mappings(*smaps);
  for (const auto& mapping : mappings) {
    // Read-ahead off first, so that a page faulted back brings no neighbours with it.
    if (auto status = advise(mapping, MADV_RANDOM, "MADV_RANDOM"); !status) return status.error();
    // Safe only because the mapping holds no private copies: every page equals the file's.
    if (auto status = advise(mapping, MADV_DONTNEED, "MADV_DONTNEED"); !status) {
      return status.error();
    }
    ++released.mappings;
  }
  std::set<std::string> files;
  for (const auto& mapping : mappings) {
    if (files.insert(mapping.path).second) drop_unmapped_cache(mapping.path);
  }
  released.resident_after = resident_bytes();
  return released;
}

}  // namespace sentinel::core
