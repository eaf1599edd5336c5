#include "sentinel/core/startup_pages.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>

namespace sentinel::core {
namespace {

std::uintptr_t parse_address(std::string_view hex) {
  std::uintptr_t value = 0;
  std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
  return value;
}

// One line of /proc/<pid>/maps: "begin-end perms offset dev inode   path"; the path, which may
// contain spaces, is the rest of the line and is empty for anonymous memory.
std::optional<ReadOnlyFileMapping> parse_line(const std::string& line) {
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

std::string read_text(const char* path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t resident_bytes() {
  std::istringstream statm(read_text("/proc/self/statm"));
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

}  // namespace

std::vector<ReadOnlyFileMapping> read_only_file_mappings(std::string_view maps) {
  std::vector<ReadOnlyFileMapping> mappings;
  std::istringstream lines{std::string(maps)};
  for (std::string line; std::getline(lines, line);) {
    if (auto mapping = parse_line(line)) mappings.push_back(std::move(*mapping));
  }
  return mappings;
}

Result<ReleasedPages> release_startup_pages() {
  ReleasedPages released;
  released.resident_before = resident_bytes();
  for (const auto& mapping : read_only_file_mappings(read_text("/proc/self/maps"))) {
    // Read-ahead off first, so that nothing reclaimed comes back with a neighbour's fault.
    if (auto status = advise(mapping, MADV_RANDOM, "MADV_RANDOM"); !status) return status.error();
    if (auto status = advise(mapping, MADV_PAGEOUT, "MADV_PAGEOUT"); !status) {
      return status.error();
    }
    ++released.mappings;
  }
  released.resident_after = resident_bytes();
  return released;
}

}  // namespace sentinel::core
