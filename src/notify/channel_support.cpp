#include "channel_support.hpp"

#include <ctime>

#include <fmt/format.h>

#include "sentinel/core/crypto.hpp"

namespace sentinel::notify {

std::string setting(const Settings& settings, std::string_view key, std::string fallback) {
  const auto it = settings.find(std::string(key));
  if (it == settings.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

std::optional<std::string> require(const Settings& settings,
                                   std::initializer_list<std::string_view> keys) {
  for (auto key : keys) {
    if (setting(settings, key).empty()) return std::string(key) + " is required";
  }
  return std::nullopt;
}

ChannelRequest json_post(std::string url, const nlohmann::json& body) {
  ChannelRequest request;
  request.url = std::move(url);
  request.headers.set("Content-Type", "application/json");
  request.body = body.dump();
  return request;
}

std::string join_url(std::string_view base, std::string_view path) {
  while (!base.empty() && base.back() == '/')
    base.remove_suffix(1);
  while (!path.empty() && path.front() == '/')
    path.remove_prefix(1);
  return fmt::format("{}/{}", base, path);
}

int colour(const Message& message) {
  if (message.status() == "resolved") return 0x2EB886;  // green
  for (const auto& alert : message.alerts) {
    if (alert.severity == "critical") return 0xD00000;  // red
  }
  return 0xDAA038;  // amber
}

std::string iso8601(std::int64_t unix_ms) {
  const std::time_t seconds = unix_ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03}Z", text, unix_ms % 1000);
}

std::string base64(std::string_view bytes) {
  // base64url differs only in two characters and the padding.
  auto out = core::to_base64url(bytes);
  for (auto& c : out)
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (out.size() % 4 != 0)
    out += '=';
  return out;
}

std::string Message::status() const {
  for (const auto& alert : alerts) {
    if (alert.status == "firing") return "firing";
  }
  return "resolved";
}

std::string Message::title() const {
  const auto status = this->status();
  std::size_t count = 0;
  for (const auto& alert : alerts)
    count += alert.status == status ? 1 : 0;
  std::string upper;
  for (char c : status)
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return fmt::format("[{}:{}] {}", upper, count, alerts.empty() ? "" : alerts.front().rule_name);
}

std::string Message::summary() const {
  std::string text;
  for (const auto& alert : alerts) {
    const auto it = alert.annotations.find("summary");
    const auto line = it != alert.annotations.end()
                          ? it->second
                          : fmt::format("{} on {}", alert.rule_name, alert.agent_id);
    text += fmt::format("{}{} {}", text.empty() ? "" : "\n", alert.status == "firing" ? "🔥" : "✅",
                        line);
  }
  return text;
}

}  // namespace sentinel::notify
