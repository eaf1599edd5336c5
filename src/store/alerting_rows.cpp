#include "alerting_rows.hpp"

#include <charconv>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sentinel/core/crypto.hpp"
#include "sentinel/store/store.hpp"

namespace sentinel::store {
namespace {

constexpr std::string_view kEventCursorPrefix = "e:";

[[noreturn]] void bad_cursor() {
  throw StoreError("invalid_argument", "the page cursor is not one this server handed out", false);
}

}  // namespace

std::vector<std::string> strings_from_json(std::string_view json) {
  const auto parsed = nlohmann::json::parse(json, nullptr, false);
  std::vector<std::string> out;
  if (parsed.is_array()) {
    for (const auto& item : parsed) {
      if (!item.is_string()) break;
      out.push_back(item.get<std::string>());
    }
  }
  if (!parsed.is_array() || out.size() != parsed.size()) {
    throw StoreError("database",
                     fmt::format("stored list is not a JSON array of strings: {}", json), false);
  }
  return out;
}

std::string encode_event_cursor(std::int64_t last_id) {
  return core::to_base64url(std::string(kEventCursorPrefix) + std::to_string(last_id));
}

std::int64_t decode_event_cursor(std::string_view cursor) {
  if (cursor.empty()) return std::numeric_limits<std::int64_t>::max();
  const auto decoded = core::from_base64url(cursor);
  if (!decoded || !decoded->starts_with(kEventCursorPrefix)) bad_cursor();
  const std::string_view digits = std::string_view(*decoded).substr(kEventCursorPrefix.size());
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size()) bad_cursor();
  return id;
}

AlertEventPage make_event_page(std::vector<AlertEventRow> rows, std::size_t limit) {
  AlertEventPage page;
  if (rows.size() > limit) {
    rows.resize(limit);
    page.next_cursor = encode_event_cursor(rows.back().id);
  }
  page.events = std::move(rows);
  return page;
}

std::string encode_sealed(std::string_view sealed) {
  return core::to_base64url(sealed);
}

std::string decode_sealed(std::string_view text) {
  auto bytes = core::from_base64url(text);
  if (!bytes) throw StoreError("database", "stored sealed secrets are not base64url", false);
  return std::move(*bytes);
}

}  // namespace sentinel::store
