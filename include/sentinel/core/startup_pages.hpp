#pragma once
// Gives back the pages of code and read-only data that a daemon touched only to start.
//
// sentineld is one binary for every role, statically linked but for OpenSSL and nats.c. Starting
// touches code all over it and its libraries (static initialisers of every role, the config
// parser, enrolment); afterwards an agent runs a small part of that code once a tick, yet the
// kernel keeps every page it ever mapped resident until memory runs short. Once the daemon has
// settled, `release_startup_pages` asks the kernel to reclaim the pages of its read-only file
// mappings now (MADV_PAGEOUT) and to read them back one page at a time when they are used again
// (MADV_RANDOM: no read-ahead, which would bring back the device's read-ahead window, often
// 128 KiB, with every fault). What the daemon keeps using comes back at the cost of one read
// each; the rest stays on disk. Writable mappings are not advised, pages that another process
// maps too are skipped by the kernel, and nothing written is ever lost: only cache is dropped.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/core/result.hpp"

namespace sentinel::core {

// A private mapping of a file that the process may read but not write: code and constant data.
struct ReadOnlyFileMapping {
  std::uintptr_t begin = 0;
  std::uintptr_t end = 0;
  std::string path;
};

// The read-only file mappings in the text of /proc/<pid>/maps (see proc(5)).
std::vector<ReadOnlyFileMapping> read_only_file_mappings(std::string_view maps);

struct ReleasedPages {
  std::size_t mappings = 0;         // how many mappings were advised
  std::size_t resident_before = 0;  // the process's resident bytes before and after
  std::size_t resident_after = 0;
};

// Advises every read-only file mapping of this process as above. An error when the kernel refuses
// the advice (MADV_PAGEOUT needs Linux 5.4); the process runs on unchanged either way.
Result<ReleasedPages> release_startup_pages();

}  // namespace sentinel::core
