#pragma once
// Gives back the pages of code and read-only data that a daemon touched only to start.
//
// sentineld is one binary for every role, statically linked but for OpenSSL and nats.c. Starting
// touches code all over it and its libraries (static initialisers of every role, the config
// parser, enrolment); afterwards an agent runs a small part of that code once a tick, yet the
// kernel keeps every page it ever mapped resident until memory runs short. Once the daemon has
// settled, `release_startup_pages` unmaps the pages of its read-only file mappings
// (MADV_DONTNEED), drops those no other process maps from the page cache (POSIX_FADV_DONTNEED),
// and turns read-ahead off for those mappings (MADV_RANDOM), so that a page used again comes back
// alone rather than with the device's read-ahead window, often 128 KiB. What the daemon keeps
// running costs one read per page; the rest stays on disk.
//
// Unmapping is safe only for pages that equal the file's: a mapping that holds private copies
// (relocated data made read-only, a debugger's breakpoint) is left alone, and writable mappings
// are never touched. (MADV_PAGEOUT would be safe everywhere, but on Linux 6.18 it left most of
// the binary's pages in place whenever the page cache held them in large folios.)

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/core/result.hpp"

namespace sentinel::core {

// A private mapping of a file that the process may read but not write (code and constant data)
// and that holds no private copies of its pages.
struct ReadOnlyFileMapping {
  std::uintptr_t begin = 0;
  std::uintptr_t end = 0;
  std::string path;
};

// The read-only file mappings in the text of /proc/<pid>/smaps (see proc(5)).
std::vector<ReadOnlyFileMapping> read_only_file_mappings(std::string_view smaps);

struct ReleasedPages {
  std::size_t mappings = 0;         // how many mappings were advised
  std::size_t resident_before = 0;  // the process's resident bytes before and after
  std::size_t resident_after = 0;
};

// Gives back the pages of every read-only file mapping of this process as above. An error when
// the kernel refuses the advice; the process runs on unchanged either way.
Result<ReleasedPages> release_startup_pages();

}  // namespace sentinel::core
