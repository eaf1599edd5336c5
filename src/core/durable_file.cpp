#include "sentinel/core/durable_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sentinel/core/unique_fd.hpp"

namespace sentinel::core {
namespace {

Status write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return system_error("io", "write", errno);
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok_status();
}

}  // namespace

Error system_error(std::string_view code, std::string_view what, int error_number) {
  std::string actual(code);
  if (error_number == ENOSPC || error_number == EDQUOT) actual = "disk_full";
  if (error_number == ENOENT) actual = "not_found";
  return Error{std::move(actual), fmt::format("{}: {}", what, std::strerror(error_number)),
               error_number != ENOENT};
}

Status write_file_atomically(const std::filesystem::path& path, std::string_view content,
                             mode_t mode) {
  auto temporary = path;
  temporary += ".tmp";
  {
    UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (fd.get() < 0)
      return system_error("io", fmt::format("create {}", temporary.string()), errno);
    // O_CREAT applies the mode only to a new file; an old temporary keeps its own.
    if (::fchmod(fd.get(), mode) != 0) return system_error("io", "chmod", errno);
    auto written = write_all(fd.get(), content);
    if (!written.ok() || ::fsync(fd.get()) != 0) {
      auto error = written.ok() ? system_error("io", "fsync", errno) : written.error();
      ::unlink(temporary.c_str());
      error.message = fmt::format("{} ({})", error.message, temporary.string());
      return error;
    }
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    return system_error("io", fmt::format("rename to {}", path.string()), errno);
  }
  return fsync_directory(path.parent_path().empty() ? "." : path.parent_path());
}

Status fsync_directory(const std::filesystem::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return system_error("io", fmt::format("fsync directory {}", dir.string()), errno);
  }
  return ok_status();
}

Result<std::string> read_whole_file(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return system_error("io", fmt::format("open {}", path.string()), errno);
  std::string content;
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return system_error("io", fmt::format("read {}", path.string()), errno);
    if (n == 0) return content;
    content.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace sentinel::core
