#pragma once
// Helpers the channel formatters share.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "channel.hpp"

namespace sentinel::notify {

// The string at `key`, or `fallback` when absent.
std::string setting(const Settings& settings, std::string_view key, std::string fallback = {});
// "<key> is required" when any of `keys` is not a non-empty string, else nullopt.
std::optional<std::string> require(const Settings& settings,
                                   std::initializer_list<std::string_view> keys);
// A request posting `body` as JSON to `url`.
ChannelRequest json_post(std::string url, const nlohmann::json& body);
// "https://host/" + "path" with exactly one slash between.
std::string join_url(std::string_view base, std::string_view path);
// Colours by status and severity, for the chat channels that show one.
int colour(const Message& message);
std::string iso8601(std::int64_t unix_ms);
// Standard base64 with padding (RFC 4648 section 4), as Basic auth, SMTP AUTH and MIME want.
std::string base64(std::string_view bytes);

}  // namespace sentinel::notify
