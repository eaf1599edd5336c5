#pragma once
// Reading /proc: the files of one tick, read once even when several collectors need them, and
// the few parsing helpers every collector uses.

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::agent {

// The whole content of a small file (proc files report size 0, so it is read to EOF).
std::optional<std::string> read_small_file(const std::filesystem::path& path);

class ProcFiles {
 public:
  explicit ProcFiles(std::filesystem::path root) : root_(std::move(root)) {}

  // The file's text this tick, `relative` to the root ("stat", "net/dev"); null when unreadable.
  const std::string* read(std::string_view relative);
  // Forgets the cached files: the next tick reads fresh values.
  void clear() { cache_.clear(); }
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
  std::map<std::string, std::optional<std::string>, std::less<>> cache_;
};

// Whitespace-separated fields.
std::vector<std::string_view> split_fields(std::string_view line);

// Calls `f(line)` for each line of `text`.
template <class F>
void for_each_line(std::string_view text, F&& f) {
  while (!text.empty()) {
    auto end = text.find('\n');
    f(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

template <class T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace sentinel::agent
