#include "sentinel/store/agents.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "sentinel/core/crypto.hpp"
#include "sentinel/store/store.hpp"

#include "agent_rows.hpp"

namespace sentinel::store {
namespace {

constexpr std::size_t kIdRandomBytes = 16;
constexpr std::string_view kCursorPrefix = "a:";  // versions the cursor's encoding

}  // namespace

std::string new_agent_id() {
  return "agt_" + core::to_base64url(core::random_bytes(kIdRandomBytes));
}

std::string upsert_suffix(std::string_view columns, std::size_t key_count) {
  std::vector<std::string> names;
  for (std::size_t start = 0; start <= columns.size();) {
    auto end = columns.find(',', start);
    if (end == std::string_view::npos) end = columns.size();
    auto name = columns.substr(start, end - start);
    while (!name.empty() && name.front() == ' ')
      name.remove_prefix(1);
    names.emplace_back(name);
    start = end + 1;
  }
  std::vector<std::string> key(names.begin(), names.begin() + key_count);
  std::vector<std::string> assignments;
  for (auto it = names.begin() + key_count; it != names.end(); ++it)
    assignments.push_back(fmt::format("{0} = excluded.{0}", *it));
  return fmt::format(" ON CONFLICT ({}) DO UPDATE SET {}", fmt::join(key, ", "),
                     fmt::join(assignments, ", "));
}

std::string labels_to_json(const std::map<std::string, std::string>& labels) {
  return nlohmann::json(labels).dump();
}

std::map<std::string, std::string> labels_from_json(std::string_view json) {
  const auto parsed = nlohmann::json::parse(json, nullptr, false);
  std::map<std::string, std::string> labels;
  if (parsed.is_object()) {
    for (const auto& [key, value] : parsed.items()) {
      if (!value.is_string()) break;
      labels.emplace(key, value.get<std::string>());
    }
  }
  if (!parsed.is_object() || labels.size() != parsed.size()) {
    throw StoreError(
        "database", fmt::format("stored labels are not a JSON object of strings: {}", json), false);
  }
  return labels;
}

std::string ids_to_json(std::span<const std::string> ids) {
  return nlohmann::json(std::vector<std::string>(ids.begin(), ids.end())).dump();
}

std::string like_pattern(std::string_view search) {
  if (search.empty()) return {};
  std::string pattern = "%";
  for (char c : search) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

std::string encode_cursor(std::string_view last_id) {
  return core::to_base64url(std::string(kCursorPrefix) + std::string(last_id));
}

std::string decode_cursor(std::string_view cursor) {
  if (cursor.empty()) return {};
  auto decoded = core::from_base64url(cursor);
  if (!decoded || !decoded->starts_with(kCursorPrefix)) {
    throw StoreError("invalid_argument", "the page cursor is not one this server handed out",
                     false);
  }
  return decoded->substr(kCursorPrefix.size());
}

AgentPage make_page(std::vector<Agent> rows, std::size_t limit) {
  AgentPage page;
  if (rows.size() > limit) {
    rows.resize(limit);
    page.next_cursor = encode_cursor(rows.back().id);
  }
  page.agents = std::move(rows);
  return page;
}

}  // namespace sentinel::store
