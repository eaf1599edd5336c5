#include "agent/collectors/proc_files.hpp"

#include <cerrno>
#include <fcntl.h>

#include "sentinel/core/unique_fd.hpp"

namespace sentinel::agent {

std::optional<std::string> read_small_file(const std::filesystem::path& path) {
  core::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  std::string content;
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) return content;
    content.append(buffer, static_cast<std::size_t>(n));
  }
}

const std::string* ProcFiles::read(std::string_view relative) {
  auto it = cache_.find(relative);
  if (it == cache_.end()) {
    it = cache_.emplace(std::string(relative), read_small_file(root_ / relative)).first;
  }
  return it->second ? &*it->second : nullptr;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (pos < line.size()) {
    pos = line.find_first_not_of(" \t", pos);
    if (pos == std::string_view::npos) break;
    auto end = line.find_first_of(" \t", pos);
    fields.push_back(line.substr(pos, end == std::string_view::npos ? end : end - pos));
    pos = end;
  }
  return fields;
}

}  // namespace sentinel::agent
