#pragma once
// Offline views of an agent's WAL for `sentineld wal inspect|verify DIR`. Both only read: they
// take no lock and change nothing, so they are safe on the WAL of a running agent.

#include <filesystem>
#include <ostream>

namespace sentinel::agent {

// Lists the watermark, every segment (size, records, id and time ranges, damage) and the
// backlog. Returns 0, or 2 when the directory cannot be read.
int wal_inspect(const std::filesystem::path& dir, std::ostream& out);

// Checks every record's CRC. Returns 0 when the WAL is clean (a torn tail left by a crash is
// reported but is not corruption), 1 when some record or the watermark is damaged, 2 when the
// directory cannot be read.
int wal_verify(const std::filesystem::path& dir, std::ostream& out);

}  // namespace sentinel::agent
