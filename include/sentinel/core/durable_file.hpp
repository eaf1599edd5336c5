#pragma once
// Small crash-safe file operations shared by the agent WAL, its identity store and the dev master
// key.

#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "sentinel/core/result.hpp"

namespace sentinel::core {

// An error for a failed system call: code "disk_full" for ENOSPC/EDQUOT, "not_found" for ENOENT,
// else `code`; the message names what failed and why.
Error system_error(std::string_view code, std::string_view what, int error_number);

// Replaces `path` with `content` so that a crash leaves either the old or the new file, never a
// mix: write a temporary next to it, fsync it, rename it over, fsync the directory.
Status write_file_atomically(const std::filesystem::path& path, std::string_view content,
                             mode_t mode);
// Makes creations, renames and deletions inside `dir` durable.
Status fsync_directory(const std::filesystem::path& dir);
// The whole file; error code "not_found" when it does not exist.
Result<std::string> read_whole_file(const std::filesystem::path& path);

}  // namespace sentinel::core
