#include "notifier_codec.hpp"

#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sentinel/core/config_types.hpp"

namespace sentinel::notify {
namespace {

constexpr std::string_view kPurpose = "notifier-secrets";

nlohmann::json parse_object(const std::string& text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  return json.is_object() ? json : nlohmann::json::object();
}

std::optional<core::Duration> duration_field(const nlohmann::json& body, const char* field,
                                             std::vector<alert::RuleError>& errors) {
  const auto it = body.find(field);
  if (it == body.end()) return std::nullopt;
  auto parsed = it->is_string() ? core::parse_duration(it->get<std::string>()) : std::nullopt;
  if (!parsed) errors.push_back({field, "expected a duration such as \"30s\""});
  return parsed;
}

}  // namespace

NotifierCodec::NotifierCodec(const std::string& master_key) {
  if (!master_key.empty()) key_.emplace(master_key, kPurpose);
}

std::variant<store::NotifierRow, std::vector<alert::RuleError>> NotifierCodec::from_request(
    const nlohmann::json& body, std::string id, const store::NotifierRow* before,
    std::int64_t now) const {
  std::vector<alert::RuleError> errors;
  store::NotifierRow row = before != nullptr ? *before : store::NotifierRow{};
  row.id = std::move(id);
  row.updated_at = now;
  if (before == nullptr) row.created_at = now;
  for (const auto& [key, value] : body.items()) {
    static const std::set<std::string> kKnown = {
        "name", "type", "settings", "enabled", "send_resolved", "group_wait", "id"};
    if (!kKnown.contains(key)) errors.push_back({key, "unknown field"});
  }
  row.name = body.value("name", row.name);
  row.type = body.value("type", row.type);
  if (row.name.empty()) errors.push_back({"name", "required"});
  const auto* channel = find_channel(row.type);
  if (channel == nullptr) {
    errors.push_back({"type", fmt::format("expected one of {}", fmt::join(channel_types(), ", "))});
    return errors;
  }
  if (body.contains("enabled") && !body["enabled"].is_boolean())
    errors.push_back({"enabled", "expected true or false"});
  if (body.contains("send_resolved") && !body["send_resolved"].is_boolean())
    errors.push_back({"send_resolved", "expected true or false"});
  if (errors.empty()) {
    row.enabled = body.value("enabled", row.enabled);
    row.send_resolved = body.value("send_resolved", row.send_resolved);
  }
  if (auto wait = duration_field(body, "group_wait", errors)) row.group_wait_ms = wait->count();

  // Start from the stored settings and secrets, then apply what the body gives.
  auto settings = before != nullptr ? this->settings(*before).value_or(nlohmann::json::object())
                                    : nlohmann::json::object();
  const auto given = body.find("settings");
  if (given != body.end() && !given->is_object()) {
    errors.push_back({"settings", "expected an object"});
  } else if (given != body.end()) {
    for (const auto& [key, value] : given->items()) {
      if (value.is_string() && value.get<std::string>() == kMask) continue;  // keep the old one
      settings[key] = value;
    }
  }
  if (auto problem = channel->check(settings)) errors.push_back({"settings", *problem});
  auto secrets = nlohmann::json::object();
  for (auto key : channel->secret_keys()) {
    const auto it = settings.find(std::string(key));
    if (it == settings.end()) continue;
    secrets[std::string(key)] = *it;
    settings.erase(it);
  }
  if (!secrets.empty() && !key_) {
    errors.push_back({"settings", "storing secrets needs master_key (SENTINEL_MASTER_KEY) set"});
  }
  if (!errors.empty()) return errors;
  row.settings = settings.dump();
  row.sealed_secrets = secrets.empty() ? std::string() : key_->seal(secrets.dump(), row.id);
  return row;
}

nlohmann::json NotifierCodec::to_json(const store::NotifierRow& row) const {
  auto settings = parse_object(row.settings);
  if (const auto* channel = find_channel(row.type)) {
    const auto opened = this->settings(row);
    for (auto key : channel->secret_keys()) {
      if (opened && opened->contains(std::string(key))) settings[std::string(key)] = kMask;
    }
  }
  return {{"id", row.id},
          {"name", row.name},
          {"type", row.type},
          {"settings", settings},
          {"enabled", row.enabled},
          {"send_resolved", row.send_resolved},
          {"group_wait", core::format_duration(core::Duration(row.group_wait_ms))},
          {"created_at", row.created_at},
          {"updated_at", row.updated_at}};
}

std::optional<Settings> NotifierCodec::settings(const store::NotifierRow& row) const {
  auto settings = parse_object(row.settings);
  if (row.sealed_secrets.empty()) return settings;
  if (!key_) return std::nullopt;
  const auto opened = key_->open(row.sealed_secrets, row.id);
  if (!opened) return std::nullopt;
  const auto secrets = parse_object(*opened);  // named: items() of a temporary would dangle
  for (const auto& [key, value] : secrets.items())
    settings[key] = value;
  return settings;
}

}  // namespace sentinel::notify
